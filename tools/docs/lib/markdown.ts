import { dirname, join, normalize, relative } from 'node:path';

/** `|` and line breaks would end a table cell. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function codeCell(value: unknown): string {
  const text = cell(value);
  return text ? `\`${text.replace(/`/g, "'")}\`` : '';
}

/**
 * A repository markdown file as a site page: links to files the site publishes
 * point at their pages; links to anything else become the path in code, so no
 * link of the site points nowhere. The content is wrapped in `v-pre` so Vue
 * never interprets `{{ }}` in it.
 */
export function repoPage(
  content: string,
  sourcePath: string,
  published: Map<string, string>,
): string {
  const linked = content.replace(
    /(!?)\[([^\]]*)\]\(([^)\s]+)(\s+"[^"]*")?\)/g,
    (whole, bang: string, text: string, target: string) => {
      if (/^(https?:|mailto:|#)/.test(target)) return whole;
      const [path, hash] = target.split('#');
      const resolved = normalize(join(dirname(sourcePath), path)).replace(
        /\/$/,
        '',
      );
      const page =
        published.get(resolved) ?? published.get(join(resolved, 'README.md'));
      if (page) return `${bang}[${text}](${page}${hash ? `#${hash}` : ''})`;
      return `${text} (\`${relative('.', resolved)}\`)`;
    },
  );
  return `::: v-pre\n${escapeAngles(linked)}\n:::\n`;
}

/**
 * `<word>` outside code would be read as an HTML element by the markdown
 * renderer and the Vue compiler; escape it where it is not in code.
 */
export function escapeAngles(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return line;
      }
      if (inFence) return line;
      return line
        .split(/(`[^`]*`)/)
        .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;')))
        .join('');
    })
    .join('\n');
}
