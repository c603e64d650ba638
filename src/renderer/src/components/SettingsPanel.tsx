/**
 * The Settings section: the providers (settings/ProvidersSection), then one form for the rest (the network, the
 * defaults for new conversations, the app) saved at once; every field main or the form's range check refused is
 * marked with its reason, the first focused. The form's data (settings/settings-form.ts) and its sections
 * (settings/NetworkSection, DefaultsSection, AppSection) are beside it in settings/.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../shared/ipc.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { codeTitle, errorHint, errorMessage } from '../i18n.ts';
import { useStore } from '../store.ts';
import type { FieldProblem } from './FieldError.tsx';
import { AppSection } from './settings/AppSection.tsx';
import { DefaultsSection } from './settings/DefaultsSection.tsx';
import { NetworkSection } from './settings/NetworkSection.tsx';
import { ProvidersSection } from './settings/ProvidersSection.tsx';
import { PricesSection } from './settings/PricesSection.tsx';
import { McpSection } from './settings/McpSection.tsx';
import { SyncSection } from './settings/SyncSection.tsx';
import { UpdatesSection } from './settings/UpdatesSection.tsx';
import { BackupSection } from './settings/BackupSection.tsx';
import { buildPatch, changedSections, formFrom, type Form, type Invalid } from './settings/settings-form.ts';

type Status = { state: 'idle' | 'dirty' | 'saving' | 'saved' } | { state: 'error'; text: string };

/** The element to focus for a refused field (CA files: the Add button under the list). */
const FOCUS_ID: Record<string, string> = { caFiles: 'f-caFiles-add' };
/** Form keys whose change takes back the reason shown at a field. */
const CLEARS: Partial<Record<keyof Form, string[]>> = { proxyMode: ['proxyUrl', 'bypass'], proxyUrl: ['proxyUrl'], bypass: ['bypass'], caFiles: ['caFiles'] };

export function SettingsPanel({ view, revision }: { view: SettingsView | null; revision: number }): React.JSX.Element {
  const { t } = useTranslation();
  const saveSettings = useStore((s) => s.saveSettings);
  const pickCaFile = useStore((s) => s.pickCaFile);
  const [form, setForm] = useState<Form>(() => formFrom(view));
  // A save remounts this panel with the new view (key = revision): it then says "Saved".
  const [status, setStatus] = useState<Status>(() => ({ state: useStore.getState().savedRevision === revision ? 'saved' : 'idle' }));
  /** The fields a save was refused for, and why (each shown next to its field). */
  const [problem, setProblems] = useState<FieldProblem[]>([]);

  const update = <K extends keyof Form>(key: K, value: Form[K]): void => {
    setForm((f) => ({ ...f, [key]: value }));
    setStatus((s) => (s.state === 'saving' ? s : { state: 'dirty' }));
    setProblems((ps) => ps.filter((p) => p.field !== key && !CLEARS[key]?.includes(p.field)));
  };

  /** Marks the fields with their reasons, focuses the first, and says the save did not happen. */
  const refuse = (ps: FieldProblem[], text: string): void => {
    setProblems(ps);
    setStatus({ state: 'error', text });
    const first = ps[0];
    // After the reasons render: the field's description then includes its reason.
    if (first) requestAnimationFrame(() => document.getElementById(FOCUS_ID[first.field] ?? `f-${first.field}`)?.focus());
  };
  /** A refusal from main that names a field: its words at the field. */
  const atField = (error: ErrorInfo & { field: string }): FieldProblem => ({ field: error.field, message: errorMessage(error), ...(error.hint ? { hint: errorHint(error) } : {}), ...(error.corrected ? { corrected: error.corrected } : {}) });

  const onSubmit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    if (status.state === 'saving') return;
    const built = buildPatch(form);
    if (!built.ok) {
      const label = ({ field }: Invalid): string => (field === 'retries' ? t('settings.network.retries') : field === 'contextMessages' ? t('settings.defaults.contextMessages') : `${t('settings.network.timeouts')} · ${t(`settings.network.${field}`)}`);
      const status = built.invalid.length === 1 && built.invalid[0] ? t('settings.status.invalid', { field: label(built.invalid[0]), min: built.invalid[0].min, max: built.invalid[0].max }) : t('settings.status.invalidMany', { count: built.invalid.length, fields: built.invalid.map(label).join(t('settings.status.listJoin')) });
      refuse(built.invalid.map(({ field, min, max }) => ({ field, message: t('settings.fieldRange', { min, max }) })), status);
      return;
    }
    setStatus({ state: 'saving' });
    setProblems([]);
    const changed = changedSections(built.patch, view);
    const ok = await saveSettings(built.patch, changed);
    if (!ok) {
      const error = useStore.getState().saveError;
      // Main names every field a save refused: each reason at its field.
      const fields = error ? [error, ...(error.also ?? [])].filter((e): e is ErrorInfo & { field: string } => !!e.field) : [];
      if (fields.length) {
        refuse(fields.map(atField), t('settings.status.fieldInvalid'));
        return;
      }
      const code = error?.code;
      setStatus({ state: 'error', text: t('settings.status.failed', { title: code ? `${codeTitle(code)} (${code})` : '' }) });
    }
    // On success the panel remounts with the new view (key = viewRevision) and shows "Saved".
  };

  const addCaFile = async (): Promise<void> => {
    const picked = await pickCaFile();
    // A file main refused: why, at the list and its Add button (not in a banner far above).
    if (picked && 'error' in picked) {
      setProblems((ps) => [...ps.filter((p) => p.field !== 'caFiles'), atField({ ...picked.error, field: 'caFiles' })]);
      return;
    }
    if (picked && !form.caFiles.includes(picked.path)) update('caFiles', [...form.caFiles, picked.path]);
  };

  const statusText =
    status.state === 'error' ? status.text : status.state === 'idle' ? '' : t(`settings.status.${status.state}`);

  return (
    <section className="panel" aria-labelledby="settings-title">
      <header className="panel-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
        <p className="muted">{t('settings.intro')}</p>
      </header>
      {view?.unknownKeys?.length ? (
        // Keys of settings.json Parley does not know (a typo in a hand edit): kept in the file, named here.
        <div className="banner" role="note" data-testid="settings-unknown-keys">
          <div className="banner-body">
            <p className="banner-message">{t('settings.unknownKeys', { count: view.unknownKeys.length })}</p>
            <ul className="unknown-keys">{view.unknownKeys.map((k) => <li key={k}><code className="code">{k}</code></li>)}</ul>
          </div>
        </div>
      ) : null}
      <ProvidersSection />
      <PricesSection />
      <McpSection />
      <form className="settings-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <NetworkSection
          form={form}
          update={update}
          problem={problem}
          proxyPasswordUnreadable={!!view?.proxyPasswordUnreadable}
          keychain={view?.keychain}
          onAddCaFile={() => void addCaFile()}
        />
        <DefaultsSection form={form} update={update} problem={problem} />
        <AppSection form={form} update={update} />
        <div className="form-actions save-bar" data-testid="settings-save-bar">
          <button type="submit" className="primary" data-testid="settings-save" disabled={status.state === 'saving'}>
            {t('settings.save')}
          </button>
          <span className={`status status-${status.state}`} role="status" aria-live="polite" data-testid="settings-status" data-state={status.state}>
            {status.state === 'saved' ? '✓ ' : ''}
            {statusText}
          </span>
        </div>
      </form>
      {/* Saved on their own (each has its own buttons), after the form: its Save bar stays in view at the start. */}
      <SyncSection />
      <BackupSection />
      <UpdatesSection />
    </section>
  );
}
