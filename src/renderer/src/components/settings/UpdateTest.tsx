/**
 * Settings → Updates' Test feeds (issue 22): the feeds' doctor's report ('update:test', the same report as `parley
 * update --check`) as the window shows it: each feed in order with its four steps (route, reaching it, its manifest,
 * its offer), each worded in the window's language from the step's facts (never from main's English), a failure
 * with the shared error banner, and the feed updates would come from.
 */
import { useTranslation } from 'react-i18next';
import type { UpdateDoctorReport, UpdateDoctorStep, UpdateFeedReport } from '../../../../shared/update.ts';
import { wordRoute } from '../../error-words.ts';
import { ErrorNote } from './ErrorNote.tsx';

const STEP_ICON = { pass: '✓', warn: '!', fail: '✕', skip: '–' } as const;
const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);

type T = ReturnType<typeof useTranslation>['t'];

/** A step's finding in the window's language, from its facts; null when it has nothing to say beyond its banner. */
function stepWords(t: T, feed: UpdateFeedReport, step: UpdateDoctorStep): string | null {
  const f = step.facts ?? {};
  if (step.status === 'skip') {
    const failed = feed.steps.find((s) => s.status === 'fail');
    return failed ? t('updates.test.skipped', { step: t(`updates.test.steps.${failed.id}`) }) : t('updates.test.notChecked');
  }
  switch (step.id) {
    case 'route':
      if (step.route) return t('updates.test.route', { route: wordRoute(step.route) });
      return typeof f.route === 'string' ? f.route : null;
    case 'reach': {
      const parts: string[] = [];
      if (f.address !== undefined) parts.push(t('updates.test.resolved', { address: f.address }));
      if (f.connected !== undefined) parts.push(t('updates.test.connected', { host: f.connected }));
      if (f.tunnel !== undefined) parts.push(t('updates.test.tunnel', { target: f.tunnel }));
      if (f.tlsIssuer !== undefined) parts.push(t('updates.test.tls', { protocol: f.tlsProtocol ?? 'TLS', issuer: f.tlsIssuer }));
      if (parts.length) return parts.join(t('updates.test.separator'));
      return step.status === 'pass' ? t('updates.test.reused') : null;
    }
    case 'manifest':
      return step.status === 'pass' ? t('updates.test.manifest', { url: feed.url }) : null;
    case 'offer':
      if (step.status !== 'pass' || f.version === undefined) return null;
      return typeof f.size === 'number'
        ? t('updates.test.offer', { version: f.version, size: mb(f.size), current: f.current ?? '' })
        : t('updates.test.offerCurrent', { version: f.version });
  }
}

function FeedReport({ feed }: { feed: UpdateFeedReport }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <li className="update-test-feed" data-testid="update-test-feed" data-feed={feed.feed} data-ok={feed.ok ? 'true' : 'false'}>
      <p><code>{feed.feed}</code> · <strong>{feed.ok ? t('updates.test.feedOk') : t('updates.test.feedBad')}</strong></p>
      <ol className="steps">
        {feed.steps.map((s) => {
          const words = stepWords(t, feed, s);
          return (
            <li key={s.id} className={`step step-${s.status}`} data-testid="update-test-step" data-step={s.id} data-status={s.status}>
              <span className="step-icon" aria-hidden="true">{STEP_ICON[s.status]}</span>
              <span className="step-main">
                <span className="step-name">{t(`updates.test.steps.${s.id}`)} <span className="visually-hidden">({t(`updates.test.status.${s.status}`)})</span></span>
                {words ? <span className="step-detail" data-testid="update-test-detail">{words}</span> : null}
                {s.error ? <ErrorNote error={s.error} testId="update-test-step-error" /> : null}
              </span>
              {s.status !== 'skip' && s.ms > 0 ? <span className="step-ms muted">{t('updates.test.ms', { ms: s.ms })}</span> : null}
            </li>
          );
        })}
      </ol>
    </li>
  );
}

export function UpdateTestReport({ report }: { report: UpdateDoctorReport }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <div className="update-test report" data-testid="update-test-report" data-ok={report.ok ? 'true' : 'false'} role="status">
      <p data-testid="update-test-chosen"><strong>{report.chosen ? t('updates.test.chosen', { feed: report.chosen }) : t('updates.test.none')}</strong></p>
      <ol className="update-test-feeds">
        {report.feeds.map((f) => <FeedReport key={f.feed} feed={f} />)}
      </ol>
    </div>
  );
}
