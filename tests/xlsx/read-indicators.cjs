// Reads an indicators export (XLSX) with exceljs, independently of libxlsxwriter, and prints
// the sheet as JSON lines: {"row": n, "values": {column: value}} keyed by the header row.
// Usage: node read-indicators.cjs FILE.xlsx [SHEET] (default: the sheet "indicators")
const ExcelJS = require('exceljs');
(async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(process.argv[2]);
  const sheet = process.argv[3] || 'indicators';
  const ws = wb.getWorksheet(sheet);
  if (!ws) throw new Error('no sheet "' + sheet + '"; have: ' + wb.worksheets.map((w) => w.name));
  const header = ws.getRow(1).values.slice(1);
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const values = {};
    header.forEach((name, i) => {
      const v = row.getCell(i + 1).value;
      values[name] = v === undefined ? null : v;
    });
    console.log(JSON.stringify({ row: n, values }));
  });
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
