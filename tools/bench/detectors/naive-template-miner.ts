/**
 * Naive baseline: splits on whitespace, masks every token that holds a digit,
 * and groups messages with the same masked text.
 */
export class NaiveTemplateMiner {
  private readonly ids = new Map<string, string>();

  add(message: string): { templateId: string } {
    const key = message
      .split(/\s+/)
      .filter((t) => t.length > 0)
      .map((t) => (/\d/.test(t) ? '<*>' : t))
      .join(' ');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = key;
      this.ids.set(key, id);
    }
    return { templateId: id };
  }

  resolve(templateId: string): string {
    return templateId;
  }

  templateOf(templateId: string): string {
    return templateId;
  }
}
