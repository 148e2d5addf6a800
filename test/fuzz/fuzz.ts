/**
 * `npm run fuzz`: the long wire fuzz (100,000 cases by default) with the generators of the CI
 * test. Prints the seed first; on a failure prints fast-check's report (seed, path, the shrunk
 * counterexample) and how to replay it, and exits 1.
 *
 *   npm run fuzz                          # 100,000 cases, a random seed
 *   npm run fuzz -- --seed 1234           # replay a run
 *   npm run fuzz -- --seed 1234 --path 17:3:0 --surface api   # replay one counterexample
 *   npm run fuzz -- --runs 5000 --surface admin
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { describeFault, runSurface, startAdminTarget, startApiTarget, type FuzzTarget } from './fuzz-session.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '100000' },
    surface: { type: 'string', default: 'both' },
    path: { type: 'string' },
    'no-shrink': { type: 'boolean', default: false },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const runs = Number(values.runs);
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1 || !['api', 'admin', 'both'].includes(values.surface!)) {
  console.error('usage: npm run fuzz -- [--seed N] [--runs N] [--surface api|admin|both] [--path P]');
  process.exit(2);
}
// Three API cases for each admin case, as in CI.
const plan: Array<['api' | 'admin', number]> =
  values.surface === 'both'
    ? [
        ['api', Math.ceil(runs * 0.75)],
        ['admin', Math.floor(runs * 0.25)],
      ]
    : [[values.surface as 'api' | 'admin', runs]];

console.log(`wire fuzz: seed ${seed}, ${plan.map(([s, n]) => `${n} ${s} cases`).join(' + ')}`);
let failed = false;
for (const [surface, numRuns] of plan) {
  if (numRuns === 0) continue;
  const target: FuzzTarget = surface === 'api' ? await startApiTarget() : await startAdminTarget();
  const started = performance.now();
  const tally = new Map<string, number>();
  try {
    const details = await runSurface(target, surface, {
      seed,
      numRuns,
      checkEvery: 500,
      tally,
      shrink: !values['no-shrink'],
      ...(values.path ? { path: values.path } : {}),
      onProgress: (done) => {
        if (done % 5000 === 0) console.log(`  ${surface}: ${done} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const dead = await target.alive(true);
    if (details.failed) {
      failed = true;
      console.log(`\n${surface}: FAILED after ${details.numRuns} cases (${seconds} s)\n`);
      console.log(fc.defaultReportMessage(details));
      console.log(`\nproblem: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
      console.log(`\nreplay: npm run fuzz -- --seed ${seed} --surface ${surface} --path ${details.counterexamplePath}`);
    } else {
      console.log(`${surface}: ${details.numRuns} cases passed in ${seconds} s`);
      const kinds = [...tally].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind}: ${n}`);
      console.log(`  answers: ${kinds.join(', ')}`);
    }
    if (target.faults.length) {
      failed = true;
      console.log(`${surface}: ${target.faults.length} internal fault(s); the first:\n${describeFault(target.faults[0])}`);
    }
    if (dead) {
      failed = true;
      console.log(`${surface}: after the run, ${dead}`);
    }
  } finally {
    await target.close();
  }
}
console.log(failed ? `wire fuzz FAILED (seed ${seed})` : `wire fuzz passed (seed ${seed})`);
process.exit(failed ? 1 : 0);
