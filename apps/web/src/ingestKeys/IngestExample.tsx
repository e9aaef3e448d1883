// How an agent sends its first sample: the curl command for POST /api/v1/metrics.
import { createSignal } from 'solid-js';

export function curlExample(key: string): string {
  return [
    `curl -X POST ${location.origin}/api/v1/metrics \\`,
    `  -H 'Authorization: Bearer ${key}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"agent":"checkout-bot","samples":[{"ts":'$(date +%s000)',"latency_ms":812,"tokens_in":1200,"tokens_out":310,"cost_usd":0.0042,"requests":1,"errors":0}]}'`,
  ].join('\n');
}

/** A block of copyable text with a Copy button that says when it worked. */
export function CopyBlock(props: { text: string; label: string; testId?: string }) {
  const [copied, setCopied] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
    setTimeout(() => setCopied('idle'), 2000);
  };
  return (
    <div class="copy-block">
      <pre class="copy-block__text" data-testid={props.testId} aria-label={props.label}>
        {props.text}
      </pre>
      <button class="button button--small copy-block__button" type="button" onClick={() => void copy()}>
        {copied() === 'copied' ? 'Copied' : copied() === 'failed' ? 'Select and copy' : 'Copy'}
      </button>
    </div>
  );
}
