import type { DeviceColour } from "./device-palette.js";
import { type HtmlLabel, htmlText } from "./dot-syntax.js";
import { capText } from "./label-text.js";

/**
 * A plan graph's legend as a DOT HTML label: a bold `title`, one swatch per device in its
 * palette colour (names capped at `max` characters), then small-print `notes`, one per line.
 */
export function deviceLegend(
  title: string,
  devices: readonly string[],
  palette: Map<string, DeviceColour>,
  max: number,
  notes: readonly string[],
): HtmlLabel {
  const rows = devices.map((d) => {
    const c = palette.get(d)!;
    return `<tr><td bgcolor="${c.fill}" color="${c.stroke}" border="1" width="28"> </td><td align="left">${htmlText(capText(d, max))}</td></tr>`;
  });
  const note = (text: string) =>
    `<tr><td colspan="2" align="left"><font point-size="9">${htmlText(text)}</font></td></tr>`;
  return {
    html: `<table border="0" cellborder="0" cellspacing="3" cellpadding="2"><tr><td colspan="2" align="left"><b>${htmlText(title)}</b></td></tr>${rows.join("")}${notes.map(note).join("")}</table>`,
  };
}
