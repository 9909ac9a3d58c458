"""Runs Drain3 over Loghub-2k lines for bench:detectors.

Reads JSON from stdin: {"configs": [{"sim_th": float, "depth": int, "masks": bool}],
"datasets": {name: [line]}}.
Writes JSON to stdout: {"results": [{"config": ..., "datasets": {name: {"ids": [...],
"templates": [...]}}}], "lines_per_second": float}. Each line is scored with the final template
of its cluster, as Drain's own benchmark does. One fresh miner per dataset and configuration.
Masking, when a configuration asks for it: IPv4 addresses with an optional port, hexadecimal
numbers, and numbers, each as <*> (Drain3's own number parametrisation stays on either way).
"""
import json
import logging
import sys
import time

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

MASKS = [
    MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d{1,5})?)((?=[^A-Za-z0-9])|$)", "*"),
    MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)(0x[a-fA-F0-9]+)((?=[^A-Za-z0-9])|$)", "*"),
    MaskingInstruction(r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+(\.\d+)?)((?=[^A-Za-z0-9])|$)", "*"),
]


def miner(sim_th: float, depth: int, masks: bool) -> TemplateMiner:
    config = TemplateMinerConfig()
    config.drain_sim_th = sim_th
    config.drain_depth = depth
    config.masking_instructions = MASKS if masks else []
    config.profiling_enabled = False
    return TemplateMiner(config=config)


def main() -> None:
    logging.disable(logging.WARNING)
    request = json.load(sys.stdin)
    results = []
    lines = 0
    seconds = 0.0
    for cfg in request["configs"]:
        per_dataset = {}
        for name, contents in request["datasets"].items():
            m = miner(cfg["sim_th"], cfg["depth"], cfg["masks"])
            start = time.process_time()
            ids = [m.add_log_message(line)["cluster_id"] for line in contents]
            seconds += time.process_time() - start
            lines += len(contents)
            per_dataset[name] = {
                "ids": [str(i) for i in ids],
                "templates": [m.drain.id_to_cluster[i].get_template() for i in ids],
            }
        results.append({"config": cfg, "datasets": per_dataset})
    json.dump({"results": results, "lines_per_second": lines / seconds if seconds > 0 else 0}, sys.stdout)


if __name__ == "__main__":
    main()
