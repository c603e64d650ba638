/**
 * The storage benchmarks' text (bench-storage.ts, bench-sync.ts): deterministic messages of mixed English, Chinese,
 * markdown and code, as people's conversations hold them.
 */
let seed = 42;
export const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
export const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;

const EN = [
  'The corporate proxy drops idle connections after sixty seconds, so long streams get cut.',
  'Set HTTPS_PROXY in the environment and make sure NO_PROXY lists the internal hosts.',
  'A connection timeout usually means a firewall is silently dropping the packets.',
  'TLS interception replaces the certificate, so you need to trust the gateway CA.',
  'Try running the request again with verbose logging enabled to see where it stops.',
  'The model answered in about three seconds once the retry went through.',
  'You can configure the retry budget and the backoff in the network settings.',
  'Streaming responses arrive as server-sent events, one JSON object per line.',
  'If the gateway returns a 502, the upstream service is probably overloaded.',
  'Let me summarize the discussion about caching, rate limits and token usage.',
  'Here is a shorter version of the paragraph that keeps the key points.',
  'The database migration should run inside a transaction so it can roll back.',
];
const ZH = [
  '我们今天讨论网络代理的配置问题，尤其是公司防火墙后面的设置。',
  '请检查代理服务器的地址和端口是否正确，然后重新连接。',
  '如果证书不受信任，需要把公司的根证书添加到受信任列表里。',
  '流式输出有时会被中间的网关缓冲，导致很久才看到第一个字。',
  '这个模型的回答速度很快，但是上下文长度有限制。',
  '可以把重试次数调高一点，并且设置合理的超时时间。',
  '下面是一个简单的例子，说明如何在命令行里设置环境变量。',
  '数据库迁移需要在事务中执行，这样失败的时候可以回滚。',
  '搜索功能应该同时支持中文和英文的子串匹配。',
  '总结一下：先确认网络连通，再检查代理认证，最后看证书。',
];
const CODE = [
  '```bash\nexport HTTPS_PROXY=http://proxy.corp:3128\nexport NO_PROXY=localhost,.corp.example\ncurl -v https://api.openai.com/v1/models\n```',
  '```ts\nconst res = await fetch(url, { dispatcher: agent, signal: AbortSignal.timeout(30_000) });\nif (!res.ok) throw new Error(`HTTP ${res.status}`);\n```',
  '```python\nimport os, requests\nproxies = {"https": os.environ["HTTPS_PROXY"]}\nr = requests.get("https://example.com", proxies=proxies, timeout=10)\nprint(r.status_code)\n```',
  '```json\n{ "network": { "proxy": { "mode": "manual", "url": "http://proxy.corp:3128" }, "retries": 2 } }\n```',
];
const MD = ['## Steps', '### 配置步骤', '- check the proxy URL\n- check the credentials\n- retry', '1. 打开设置\n2. 填写代理地址\n3. 保存', '> Note: the default timeout is five minutes.', '| option | value |\n| --- | --- |\n| retries | 2 |'];

export function userText(): string {
  const n = 1 + Math.floor(rand() * 2);
  return Array.from({ length: n }, () => (rand() < 0.5 ? pick(EN) : pick(ZH))).join(' ');
}

export function assistantText(): string {
  const parts: string[] = [];
  const n = 3 + Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.4) parts.push(`${pick(EN)} ${pick(EN)}`);
    else if (r < 0.75) parts.push(`${pick(ZH)}${pick(ZH)}`);
    else if (r < 0.9) parts.push(pick(MD));
    else parts.push(pick(CODE));
  }
  return parts.join('\n\n');
}
