import { Text } from 'ink';
import { width as cellsOf } from '../../text/cells.js';
import { sanitize } from '../../text/sanitize.js';
import { type Field, splitAtCursor } from '../text-field.js';

/**
 * A text field as one line: `prefix`, the value with the cell under the cursor in inverse video,
 * then `suffix`. When the value is too long for `cells`, its start gives way (shown as `…`), so the
 * cursor stays on screen. Values hold no control characters (keyNames drops them); each part passes
 * the sanitizer anyway, the last step before the terminal.
 */
export function FieldText({
  field,
  prefix = '',
  suffix = '',
  cells,
  bold,
}: {
  field: Field;
  prefix?: string;
  suffix?: string;
  cells?: number;
  bold?: boolean;
}) {
  const { before, under, after } = splitAtCursor(field);
  let shown = sanitize(before);
  if (cells !== undefined) {
    const room = cells - cellsOf(prefix) - cellsOf(under) - 1;
    if (cellsOf(shown) > room) {
      const chars = [...shown];
      while (chars.length > 0 && cellsOf(chars.join('')) > room - 1) chars.shift();
      shown = `…${chars.join('')}`;
    }
  }
  return (
    <Text wrap="truncate-end" {...(bold ? { bold } : {})}>
      {prefix}
      {shown}
      <Text inverse>{sanitize(under)}</Text>
      {sanitize(after)}
      {suffix}
    </Text>
  );
}
