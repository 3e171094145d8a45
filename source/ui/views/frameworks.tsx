import { Box, Text } from 'ink';
import { APP_LABELS } from '../../domain/schemas.js';
import { currentRows, selectedIndex, windowOf } from '../controller.js';
import {
  frameworkReportOf,
  requirementColumns,
  requirementHeader,
  requirementLine,
  requirementPane,
  shownFramework,
} from '../framework-rows.js';
import { frameworkPaneRows, windowRows } from '../layout.js';
import { keymapOf, keyOf } from '../hints.js';
import { sanitize } from '../../text/sanitize.js';
import { Screen } from './frame.js';
import { Row, scrollNote, Table } from './lists.js';
import type { ViewProps } from './screens.js';

/**
 * The Frameworks view: each requirement of a benchmark with its status (pass, fail, partial,
 * unknown, not applicable, manual, not evaluated) and the controls behind it, judged on the
 * counted instances. Requirements met are counted over pass, fail and partial only.
 */
export function FrameworksView({ state, ctx, size }: ViewProps) {
  const framework = shownFramework(state.framework);
  if (!framework)
    return (
      <Screen title="Frameworks" size={size}>
        <Text>no framework is defined</Text>
      </Screen>
    );
  const report = frameworkReportOf(ctx.scored, framework);
  const { key, ids } = currentRows(state, ctx);
  const start = windowOf(state, ctx);
  const met =
    report.percent === null
      ? 'nothing judged yet'
      : `${report.met} of ${report.checkable} met (${report.percent}%)`;
  // Said beside the percentage, which leaves them out: n/a is neither met nor missed.
  const na = report.counts.not_applicable > 0 ? ` · ${report.counts.not_applicable} n/a` : '';
  const height = windowRows('frameworks', size.listRows);
  const columns = requirementColumns(report.rows, size.width - 2);
  const paneRows = frameworkPaneRows(size.listRows);
  const selected = selectedIndex(state, key, ids);
  const row = report.rows[selected];
  const pane = row && paneRows > 0 ? requirementPane(row, framework, paneRows - 1, size.width - 2) : [];
  const where = scrollNote(start, height, report.rows.length);
  const next = keyOf(keymapOf(ctx.bindings), 'framework.next');
  const title = `Frameworks · ${framework.name} ${framework.version} (${APP_LABELS[framework.app]}) · ${met}${na} · ${report.counts.manual} manual${where ? ` · ${where}` : ''} · ${next} next`;
  return (
    <Screen title={sanitize(title)} size={size}>
      <Box flexDirection="column">
        <Table
          header={requirementHeader(columns)}
          rows={report.rows}
          start={start}
          height={height}
          selected={selected}
          empty="no requirement"
          render={(row, selected) => (
            <Row key={row.id} text={requirementLine(row, columns)} selected={selected} />
          )}
        />
        {paneRows > 0 && (
          <Box flexDirection="column" height={paneRows - 1} marginTop={1}>
            {pane.map((line, i) => (
              <Text key={i} wrap="truncate">
                {sanitize(line)}
              </Text>
            ))}
          </Box>
        )}
      </Box>
    </Screen>
  );
}
