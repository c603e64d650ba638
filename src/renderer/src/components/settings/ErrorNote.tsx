/**
 * A failure shown in a settings section: its title by code (with the code), its message and hint worded in the
 * window's language by the error's key. `prefix` says what failed ("The last sync failed").
 */
import type { ErrorInfo } from '../../../../shared/errors.ts';
import { codeTitle, errorHint, errorMessage } from '../../i18n.ts';
import { Code } from '../Code.tsx';

export function ErrorNote({ error, testId, prefix }: { error: ErrorInfo; testId: string; prefix?: string }): React.JSX.Element {
  return (
    <div className="banner banner-error" role="alert" data-testid={testId} data-code={error.code}>
      <div className="banner-body">
        <p className="banner-message"><strong>{prefix ? `${prefix}: ` : ''}{codeTitle(error.code)}</strong> <Code code={error.code} /></p>
        <p>{errorMessage(error)}</p>
        {error.hint ? <p className="muted small">{errorHint(error)}</p> : null}
      </div>
    </div>
  );
}
