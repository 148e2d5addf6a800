/**
 * Turns a bench run into a markdown report and an SVG chart. The chart is written by hand: it
 * is a dozen labelled bars, which plain SVG text does in ~60 lines with no dependency, renders on
 * GitHub and in any browser, and diffs as text; chart libraries need a browser or a canvas
 * build to produce a file.
 */
import type { LoadResult } from './load.js';
import type { RsaCeiling } from './rsa-ceiling.js';

/** The machine a run came from. */
export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  os: string;
  /** 1-minute load average when the run started (other work on the machine skews results). */
  loadAverage: number;
  /** Share of all cores busy with other work just before the run (0..1). */
  backgroundBusy?: number;
  date: string;
}

/** One measured row: a workload against one server. */
export interface Row {
  /** e.g. `W2 credit card, fresh key`. */
  workload: string;
  /** e.g. `emulator`, `floor`, `node-forge`, `Prism`. */
  server: string;
  result: LoadResult;
  /** Requests per workload unit (W4: 2 requests per id-card + authenticity flow). */
  perUnit?: number;
  note?: string;
  /** Left out of the throughput chart (fixed-rate latency runs). */
  noChart?: boolean;
}

/** A target check. */
export interface Check {
  measure: string;
  ours: string;
  peer: string;
  ratio: string;
  target: string;
  met: boolean | undefined;
}

/** Everything a run produced. */
export interface BenchReport {
  quick: boolean;
  machine: Machine;
  settings: Record<string, number | string>;
  rsa: RsaCeiling;
  startup: { server: string; medianMs: number; minMs: number; maxMs: number; runs: number }[];
  rows: Row[];
  memory: { label: string; requests: number; rssMiB: number }[];
  checks: Check[];
  notes: string[];
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** The markdown report. */
export function markdown(report: BenchReport): string {
  const { machine } = report;
  const lines: string[] = [];
  lines.push(
    `Machine: ${machine.nproc} cores (nproc), ${machine.cpu}, Node ${machine.node}, ${machine.os}; load average ${machine.loadAverage.toFixed(2)} at start${machine.backgroundBusy === undefined ? '' : `, ${(machine.backgroundBusy * 100).toFixed(0)}% of all cores busy with other work just before`}; ${machine.date}${report.quick ? '; **quick run**' : ''}.`,
    '',
    '| measure | ours | peer | ratio | target | met |',
    '|---|---:|---:|---:|---|:-:|',
  );
  for (const c of report.checks)
    lines.push(`| ${c.measure} | ${c.ours} | ${c.peer} | ${c.ratio} | ${c.target} | ${c.met === undefined ? '-' : c.met ? 'yes' : '**no**'} |`);
  lines.push(
    '',
    '| workload | server | req/s | p50 ms | p99 ms | server CPU ms/req | server cores busy | other load (cores) | requests | failed |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of report.rows) {
    const unit = r.perUnit && r.perUnit > 1 ? ` (${fmt(r.result.rps / r.perUnit)} flows/s)` : '';
    lines.push(
      `| ${r.workload} | ${r.server}${r.note ? ` (${r.note})` : ''} | ${fmt(r.result.rps)}${unit} | ${fmt(r.result.p50, 2)} | ${fmt(r.result.p99, 2)} | ${r.result.serverCpuMs === undefined ? '-' : fmt(r.result.serverCpuMs, 2)} | ${r.result.serverCores === undefined ? '-' : fmt(r.result.serverCores, 2)} | ${r.result.otherCores === undefined ? '-' : fmt(r.result.otherCores, 2)} | ${fmt(r.result.requests)} | ${fmt(r.result.failures + r.result.errors)} |`,
    );
  }
  lines.push(
    '',
    `RSA-2048 private operation (\`privateDecrypt\`, \`RSA_NO_PADDING\`, tight loop): ${fmt(report.rsa.perCore)}/s on one thread (${fmt(report.rsa.msPerOp, 3)} ms/op), ${fmt(report.rsa.allCores)}/s on ${report.rsa.threads} threads at once.`,
    '',
    '| start-up to first answer | median ms | min ms | max ms | runs |',
    '|---|---:|---:|---:|---:|',
  );
  for (const s of report.startup) lines.push(`| ${s.server} | ${fmt(s.medianMs)} | ${fmt(s.minMs)} | ${fmt(s.maxMs)} | ${s.runs} |`);
  lines.push('', '| emulator resident memory (VmRSS) | after requests | MiB |', '|---|---:|---:|');
  for (const m of report.memory) lines.push(`| ${m.label} | ${fmt(m.requests)} | ${fmt(m.rssMiB, 1)} |`);
  if (report.notes.length) lines.push('', ...report.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Server colours: ours stands out, peers are greys and a muted orange. */
const COLOURS: Record<string, string> = { emulator: '#1f6feb', floor: '#8b949e', 'node-forge': '#d29922', Prism: '#6e7781' };

/**
 * A horizontal bar chart of throughput, one bar per row, grouped by workload.
 * @example writeFileSync('chart.svg', svgChart(report))
 */
export function svgChart(report: BenchReport): string {
  const rows = report.rows.filter((r) => !r.noChart);
  const width = 900;
  const labelWidth = 400;
  const barHeight = 22;
  const gap = 6;
  const top = 48;
  const max = Math.max(...rows.map((r) => r.result.rps), 1);
  const scale = (width - labelWidth - 110) / max;
  const height = top + rows.length * (barHeight + gap) + 44;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">Requests per second (higher is better), ${report.machine.nproc} cores, Node ${escapeHtml(report.machine.node)}${report.quick ? ' (quick run)' : ''}</text>`,
    `<text x="12" y="40" fill="#57606a">${escapeHtml(report.machine.cpu)}; each bar the median of ${report.settings['rounds']} interleaved rounds, ${report.settings['seconds']} s in all, 10 connections</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * (barHeight + gap);
    const w = Math.max(1, r.result.rps * scale);
    const workers = /EMULATOR_RSA_WORKERS=(\d+)/.exec(r.note ?? '')?.[1];
    const shared = /Redis/.test(r.note ?? '') ? `, ${r.note}` : '';
    const label = `${r.workload} · ${r.server}${workers === undefined ? '' : `, ${workers} RSA worker${workers === '1' ? '' : 's'}`}${shared}${r.perUnit ? ` (${r.perUnit} calls a flow)` : ''}`;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLOURS[r.server] ?? '#57606a'}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}">${fmt(r.result.rps)}</text>`,
    );
  });
  const legendY = height - 16;
  let x = 12;
  for (const [server, colour] of Object.entries(COLOURS)) {
    parts.push(`<rect x="${x}" y="${legendY - 11}" width="12" height="12" fill="${colour}"/>`, `<text x="${x + 17}" y="${legendY}">${server}</text>`);
    x += 40 + server.length * 8;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
