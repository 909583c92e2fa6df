/**
 * Text from outside (ids, file names, server error messages, record fields) is printed through
 * this, so that no escape sequence or control character in it reaches the terminal: an id of
 * "\x1b]0;pwned\x07" must not retitle the window, and a "\r" must not overwrite what was printed.
 */

// CSI (ESC [ ... final, or the 8-bit CSI), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC strings, and two-byte escapes.
const ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -~]?/g;
// Every other C0 and C1 control but tab and newline, DEL included.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** The text without escape sequences and control characters; newlines and tabs stay. */
export function safeText(text: string): string {
  return text.replace(ESCAPE, '').replace(CONTROL, '');
}

/** Safe and on one line: newlines and tabs become spaces. */
export function safeLine(text: string): string {
  return safeText(text).replace(/[\n\t]+/g, ' ');
}
