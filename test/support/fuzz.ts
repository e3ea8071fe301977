/** Shared by the fuzz test files: the run count and a property check whose failure names its cause. */
import fc from 'fast-check';

/** Inputs per property unit; CCMON_FUZZ_RUNS raises it for a long run (bench/fuzz.ts). */
export const FUZZ_RUNS = Math.max(1, Number(process.env.CCMON_FUZZ_RUNS ?? '') || 250);

/** fc.assert, with the failing assertion's message in the error (node:test prints no `cause`). */
export async function checkProperty<T extends unknown[]>(
  property: fc.IAsyncProperty<T> | fc.IProperty<T>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(property, { numRuns });
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\ncause: ${cause}`);
  }
}
