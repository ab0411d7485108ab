/**
 * CSV downloads of what the analytics page shows. papaparse's `unparse` quotes and escapes each field (commas,
 * quotes, line breaks, and a leading `=`/`+`/`-`/`@` so a spreadsheet doesn't run a student's name as a
 * formula); it is loaded on the first download, so the page itself doesn't carry it.
 */
export type CsvCell = string | number | null;

export async function csvText(header: string[], rows: CsvCell[][]): Promise<string> {
  const { unparse } = (await import('papaparse')).default;
  return unparse({ fields: header, data: rows }, { escapeFormulae: true, newline: '\r\n' });
}

export async function downloadCsv(filename: string, header: string[], rows: CsvCell[][]): Promise<void> {
  const text = await csvText(header, rows);
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
