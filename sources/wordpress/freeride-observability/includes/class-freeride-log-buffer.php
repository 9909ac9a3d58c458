<?php
/**
 * Per-request, bounded in-memory buffer of encoded log records.
 *
 * Past max_records or max_bytes a record is dropped and counted; the count is reported with
 * the next batch (scope attribute freeride.dropped_records plus a WARN record).
 */
final class Freeride_Log_Buffer
{
    /** @var array<int,array> */
    private $records = array();
    /** @var int */
    private $bytes = 0;
    /** @var int */
    private $dropped = 0;
    /** @var int */
    private $max_records;
    /** @var int */
    private $max_bytes;

    public function __construct($max_records, $max_bytes)
    {
        $this->max_records = max(1, (int) $max_records);
        $this->max_bytes = max(1024, (int) $max_bytes);
    }

    /** @return bool false when the record was dropped */
    public function add(array $record)
    {
        $size = strlen(isset($record['body']['stringValue']) ? $record['body']['stringValue'] : '') + 64 * count($record['attributes']) + 200;
        if (count($this->records) >= $this->max_records || $this->bytes + $size > $this->max_bytes) {
            $this->dropped++;
            return false;
        }
        $this->records[] = $record;
        $this->bytes += $size;
        return true;
    }

    public function count()
    {
        return count($this->records);
    }

    public function dropped()
    {
        return $this->dropped;
    }

    public function add_dropped($n)
    {
        $this->dropped += max(0, (int) $n);
    }

    /** @return array{0:array<int,array>,1:int} the records and the dropped count; empties the buffer */
    public function drain()
    {
        $out = array($this->records, $this->dropped);
        $this->records = array();
        $this->bytes = 0;
        $this->dropped = 0;
        return $out;
    }
}
