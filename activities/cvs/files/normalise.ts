// Extracted text made uniform for the parser, which reads it line by line: compatibility forms folded (ligatures,
// full-width letters, non-breaking spaces), control and zero-width characters dropped, runs of spaces made one,
// each line trimmed, line breaks kept, and at most one empty line in a row.

export function normaliseCvText(text: string): string {
  return (
    text
      .normalize('NFKC')
      .replace(/\r\n?|[\u2028\u2029\f\v]/g, '\n')
      .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g, '')
      .replace(/[^\S\n]+/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/** Letters in a text (any script): how much of a PDF's text layer is real text. */
export function letterCount(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}
