import { chatCompletion } from './chat-completion';
import {
  type BatchObject,
  type ChatBody,
  type StoredFile,
  fakeId,
} from './openai-wire';

/** Files and batches of the fake, with the batch lifecycle's timers. */
export class FakeBatchStore {
  readonly batches = new Map<string, BatchObject>();
  readonly files = new Map<string, StoredFile>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly stepMs: number,
    private readonly onScored: (items: number) => void,
  ) {}

  /** Moves a batch validating → in_progress → completed, `stepMs` apart. */
  advance(batch: BatchObject): void {
    const step = this.stepMs;
    const later = (fn: () => void) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        fn();
      }, step);
      this.timers.add(t);
    };
    later(() => {
      if (batch.status !== 'validating') return;
      batch.status = 'in_progress';
      batch.in_progress_at = Math.floor(Date.now() / 1000);
      later(() => {
        if (batch.status !== 'in_progress') return;
        const input = this.files.get(batch.input_file_id)?.content ?? '';
        const lines = input.split('\n').filter((l) => l.trim().length > 0);
        const out = lines.map((line) => {
          const req = JSON.parse(line) as { body: ChatBody; custom_id: string };
          return JSON.stringify({
            custom_id: req.custom_id,
            error: null,
            id: fakeId('batch_req_'),
            response: {
              body: chatCompletion(
                req.body.model ?? 'gpt-4o-mini',
                req.body,
                this.onScored,
              ),
              request_id: fakeId('req_'),
              status_code: 200,
            },
          });
        });
        const file = this.storeFile(
          `${batch.id}_output.jsonl`,
          'batch_output',
          `${out.join('\n')}\n`,
        );
        batch.output_file_id = file.id;
        batch.request_counts = {
          completed: out.length,
          failed: 0,
          total: out.length,
        };
        batch.status = 'completed';
        batch.completed_at = Math.floor(Date.now() / 1000);
      });
    });
  }

  /** Stores an upload or an output file. */
  storeFile(filename: string, purpose: string, content: string): StoredFile {
    const file: StoredFile = {
      bytes: Buffer.byteLength(content),
      content,
      created_at: Math.floor(Date.now() / 1000),
      filename,
      id: fakeId('file-'),
      object: 'file',
      purpose,
      status: 'processed',
    };
    this.files.set(file.id, file);
    return file;
  }

  /** Cancels pending lifecycle steps. */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}
