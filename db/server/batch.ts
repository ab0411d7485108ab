/**
 * Hrana batches: steps run in order on one connection, each only if its condition holds. A failing step is
 * reported in the result and does not stop the batch; the client's own conditions (`ok` of the previous
 * step, then COMMIT or ROLLBACK) turn a batch into a transaction.
 */
import type { Connection, StatementInput } from './connection.ts';
import { ProtocolError, toHranaError } from './errors.ts';
import type { BatchCond, BatchResult, CursorEntry, HranaError, HranaVersion, StmtResult } from './protocol.ts';

export interface BatchStep {
  condition: BatchCond | null;
  input: StatementInput;
}

/** Rejects conditions the protocol forbids before anything runs: forward references and v3-only conditions. */
export function checkConditions(steps: { condition: BatchCond | null }[], version: HranaVersion): void {
  const check = (cond: BatchCond, stepIndex: number): void => {
    switch (cond.type) {
      case 'ok':
      case 'error':
        if (!Number.isInteger(cond.step) || cond.step < 0 || cond.step >= stepIndex) {
          throw new ProtocolError(
            `batch step ${stepIndex} has a condition on step ${cond.step}, which does not run before it`,
          );
        }
        return;
      case 'not':
        return check(cond.cond, stepIndex);
      case 'and':
      case 'or':
        return cond.conds.forEach((c) => check(c, stepIndex));
      case 'is_autocommit':
        if (version < 3) throw new ProtocolError('the is_autocommit condition needs Hrana 3');
        return;
    }
  };
  steps.forEach((step, i) => step.condition && check(step.condition, i));
}

export async function executeBatch(connection: Connection, steps: BatchStep[]): Promise<BatchResult> {
  const stepResults: (StmtResult | null)[] = [];
  const stepErrors: (HranaError | null)[] = [];
  const holds = (cond: BatchCond): boolean => {
    switch (cond.type) {
      case 'ok':
        return stepResults[cond.step] != null;
      case 'error':
        return stepErrors[cond.step] != null;
      case 'not':
        return !holds(cond.cond);
      case 'and':
        return cond.conds.every(holds);
      case 'or':
        return cond.conds.some(holds);
      case 'is_autocommit':
        return connection.isAutocommit;
    }
  };
  for (const step of steps) {
    if (step.condition && !holds(step.condition)) {
      stepResults.push(null);
      stepErrors.push(null);
      continue;
    }
    try {
      stepResults.push(await connection.execute(step.input));
      stepErrors.push(null);
    } catch (error) {
      stepResults.push(null);
      stepErrors.push(toHranaError(error));
    }
  }
  return { stepResults, stepErrors };
}

/** The same outcome as a cursor reports it: begin, rows and end for each step that ran, or its error. */
export function cursorEntries(result: BatchResult): CursorEntry[] {
  const entries: CursorEntry[] = [];
  result.stepResults.forEach((stepResult, step) => {
    const error = result.stepErrors[step];
    if (error) {
      entries.push({ type: 'step_error', step, error });
    } else if (stepResult) {
      entries.push({ type: 'step_begin', step, cols: stepResult.cols });
      for (const row of stepResult.rows) entries.push({ type: 'row', row });
      entries.push({
        type: 'step_end',
        affectedRowCount: stepResult.affectedRowCount,
        lastInsertRowid: stepResult.lastInsertRowid,
      });
    }
  });
  return entries;
}
