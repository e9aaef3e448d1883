// `npm run eval`: the accuracy set against the configured assistant (offline without a key; set
// OPENAI_API_KEY or GEMINI_API_KEY to measure those), on a fresh embedded database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRuntime } from '@tandem/core';
import { parseConfig } from '@tandem/schema';
import { runEval } from './run-eval.ts';

/** The analytics seed's conversational-accuracy bar for the offline assistant. */
const OFFLINE_GOAL = 0.95;

const dataDir = await mkdtemp(join(tmpdir(), 'tandem-eval-'));
const rt = await createRuntime(parseConfig({ ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, DEMO: '0', OFFLINE_WORD_DELAY_MS: '0' }), { log: pino({ level: 'silent' }) });
try {
  const report = await runEval(rt, {
    onTurn: (t) => process.stdout.write(`${t.passed ? 'pass' : 'FAIL'}  ${t.caseId.padEnd(24)} ${t.question}${t.passed ? '' : `\n      ${t.problems.join('\n      ')}`}\n`),
  });
  for (const [topic, s] of Object.entries(report.byTopic)) console.log(`${topic.padEnd(10)} ${s.passed}/${s.total}`);
  console.log(`accuracy ${(report.accuracy * 100).toFixed(1)}% (${report.passed}/${report.total}) with ${report.provider}, set v${report.setVersion}`);
  const { turns: _turns, ...figures } = report;
  console.log(JSON.stringify({ ...figures, goals: report.provider === 'offline' ? { offlineAccuracyAtLeast95: report.accuracy >= OFFLINE_GOAL } : {} }));
  process.exitCode = report.provider === 'offline' && report.accuracy < OFFLINE_GOAL ? 1 : 0;
} finally {
  await rt.close();
  await rm(dataDir, { recursive: true, force: true });
}
