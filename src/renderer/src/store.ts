/**
 * The renderer's state (zustand): app info, the settings view, the doctor (live steps and the final
 * report), the last export and the last error. Actions talk to main through api.ts and never throw.
 */
import { create } from 'zustand';
import type { DoctorReport, DoctorStep } from '../../shared/doctor.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import type { PresetId } from '../../shared/constants.ts';
import type { AppInfo, DetectedProvider, ExportResult, ParleyApi, ProviderDraft, ProviderView, SettingsPatch, SettingsView } from '../../shared/ipc.ts';
import { conversationModel } from '../../shared/model-choice.ts';
import { applyTheme } from './theme.ts';
import { useChat } from './chat-store.ts';
import { call } from './api.ts';
import { applyLanguage, languageReady, resolveLanguage } from './i18n.ts';
import { log } from './log.ts';

export type Section = 'chat' | 'settings' | 'diagnostics' | 'network' | 'usage';

export interface DoctorState {
  running: boolean;
  /** Steps as they arrive ('doctor:step'); replaced by the report's steps when it is done. */
  steps: DoctorStep[];
  report: DoctorReport | null;
  cancelled: boolean;
}

export interface State {
  loaded: boolean;
  info: AppInfo | null;
  view: SettingsView | null;
  /** Bumped on every new settings view, so the form re-reads it. */
  viewRevision: number;
  /** The viewRevision that a save produced (the form shows "Saved" for it). */
  savedRevision: number;
  section: Section;
  doctor: DoctorState;
  exporting: boolean;
  exportResult: ExportResult | null;
  logsOpened: boolean;
  error: ErrorInfo | null;
  /**
   * Why the last save (or model list) from the settings forms failed. One naming a form `field` is shown next to
   * that field, not in the banner.
   */
  saveError: ErrorInfo | null;
  /** A short confirmation (exported to…, imported…), shown until dismissed or replaced. */
  notice: string | null;
  /** The provider picked for the doctor (null: the conversation in view's, see doctorTarget), and its model (null: its default). */
  doctorProviderId: string | null;
  doctorModel: string | null;

  init(): Promise<void>;
  setNotice(text: string | null): void;
  saveProvider(draft: ProviderDraft): Promise<boolean>;
  deleteProvider(id: string): Promise<boolean>;
  fetchModels(which: string | ProviderDraft): Promise<string[] | null>;
  detectProviders(): Promise<DetectedProvider[]>;
  /** Runs the doctor for a provider and shows the Diagnostics section. */
  runDoctorFor(providerId: string | null): Promise<void>;
  /** A preset the first screen chose: Settings opens a new provider's form with it (taken by the form). */
  newProviderPreset: PresetId | null;
  addProvider(preset: PresetId | null): void;
  /** Picks the provider and model the doctor checks next (null: the conversation in view's). */
  pickDoctorProvider(providerId: string | null, model?: string | null): void;
  setSection(section: Section): void;
  saveSettings(patch: SettingsPatch, changed: string[]): Promise<boolean>;
  /** Opens the system file dialog (in main) for a CA certificate file: its path, why main refused it, or null (cancelled). */
  pickCaFile(): Promise<{ path: string } | { error: ErrorInfo } | null>;
  runDoctor(): Promise<void>;
  cancelDoctor(): Promise<void>;
  onDoctorStep(step: DoctorStep): void;
  exportDiagnostics(): Promise<void>;
  openLogs(): Promise<void>;
  showError(error: ErrorInfo, context: string): void;
  dismissError(): void;
}

let bootCall: ReturnType<typeof bootRequest> | undefined;
function bootRequest() {
  // public/boot.js asked already, as the page was parsed (before this code loaded): its answer, taken once.
  const w = window as { __parleyBoot?: ReturnType<ParleyApi['appBoot']> };
  const early = w.__parleyBoot;
  delete w.__parleyBoot;
  return call('appBoot', (api) => early ?? api.appBoot());
}
/** Asks main for the start's data at once, before React renders (init() then takes the answer). */
export function prefetchBoot(): void {
  if (bootCall) return;
  bootCall = bootRequest();
  // The window's language is known with the answer: its strings (a chunk of their own for Chinese, i18n.ts) are
  // asked for then, not after the first render.
  void bootCall.then((r) => {
    if (r.ok) void languageReady(resolveLanguage(r.value.settings?.settings.ui?.language));
  });
}

/** A save refused: kept for the form; in the banner only when it names no field of the form. */
function saveFailed(error: ErrorInfo, context: string): void {
  useStore.setState({ saveError: error });
  if (error.field) log.warn(context, error);
  else useStore.getState().showError(error, context);
}

/** The models a provider offers in pickers (the chat's, the doctor's): its default first, then those shown (all when none is chosen). */
export function modelsOf(p: ProviderView): string[] {
  const list = p.shownModels.length ? p.shownModels : p.models;
  return [...new Set([...(p.defaultModel ? [p.defaultModel] : []), ...list])];
}

/**
 * The provider and model the doctor checks: the one picked (Diagnostics' picker, an error card, a provider's
 * Test), else the conversation in view's, else the default provider; the conversation's model when it is its
 * provider, else the provider's default model (main's choice). Null when no provider is configured.
 */
export function doctorTarget(view: SettingsView | null, picked: string | null, conversation: { providerId: string | null; model: string | null } | null, pickedModel: string | null = null): { providerId: string; model?: string } | null {
  const providers = view?.providers ?? [];
  const known = (id: string | null | undefined): id is string => !!id && providers.some((p) => p.id === id);
  const defaults = view?.settings.defaults;
  // As the chat's picker and the request: the provider and model the conversation uses.
  const conv = conversation ? conversationModel(conversation, providers, defaults) : null;
  const id = [picked, conv?.providerId, defaults?.providerId, providers[0]?.id].find(known);
  if (!id) return null;
  const model = picked === id && pickedModel ? pickedModel : conv?.providerId === id ? conv.model : '';
  return { providerId: id, ...(model ? { model } : {}) };
}

const idleDoctor: DoctorState = { running: false, steps: [], report: null, cancelled: false };
let initStarted = false;

export const useStore = create<State>()((set, get) => ({
  loaded: false,
  info: null,
  view: null,
  viewRevision: 0,
  savedRevision: -1,
  section: 'chat',
  doctor: idleDoctor,
  notice: null,
  doctorProviderId: null,
  doctorModel: null,
  newProviderPreset: null,
  exporting: false,
  exportResult: null,
  logsOpened: false,
  error: null,
  saveError: null,

  /** Start: one round trip (app:boot) for the app, its settings, the chat list and the conversation to show. */
  async init() {
    if (initStarted) return;
    initStarted = true;
    prefetchBoot();
    const r = await (bootCall ?? bootRequest());
    if (!r.ok) {
      get().showError(r.error, 'app start failed');
      set({ loaded: true });
      return;
    }
    const boot = r.value;
    set({ info: boot.info });
    if (boot.settings) {
      const view = boot.settings;
      set((s) => ({ view, viewRevision: s.viewRevision + 1 }));
    } else if (boot.settingsError) {
      get().showError(boot.settingsError, 'settings load failed');
    }
    // The app works without its log file, and says where it could not write (a settings error matters more).
    // One banner at start, the most serious first: settings unreadable, conversations not saved, no log file.
    const startError = boot.settingsError ? undefined : boot.storageError ?? boot.logWriteError;
    if (startError) get().showError(startError, boot.storageError ? 'data folder not usable' : 'log not written');
    const language = boot.settings?.settings.ui?.language ?? 'system';
    const resolved = applyLanguage(boot.settings?.settings.ui?.language);
    applyTheme(boot.settings?.settings.ui?.theme);
    useChat.getState().applyBoot(boot);
    // The first screen in its language (a language other than the start's is a chunk of its own, i18n.ts).
    await languageReady(resolved);
    set({ loaded: true });
    log.info('ui started', { language, resolvedLanguage: resolved, host: boot.info.host, version: boot.info.version });
  },

  setSection(section) {
    // Diagnostics opened by hand checks the conversation in view's provider, not the one an error card last chose.
    set(section === 'diagnostics' && get().section !== 'diagnostics' ? { section, doctorProviderId: null, doctorModel: null } : { section });
  },

  setNotice(text) {
    set({ notice: text });
  },

  async saveProvider(draft) {
    const r = await call('providersSave', (api) => api.providersSave(draft));
    if (!r.ok) {
      saveFailed(r.error, 'provider save failed');
      return false;
    }
    // The network form is not re-read (no new revision): a provider saved does not change it, and the form
    // (with its unsaved edits, and a provider editor that stays open for Test) must not remount.
    set({ view: r.value, error: null, saveError: null });
    // "No provider yet" is answered by this save: the chat's notice of it goes.
    if (useChat.getState().actionError?.key === 'no_provider') useChat.setState({ actionError: null });
    log.info('provider saved', { preset: draft.preset, protocol: draft.protocol, isNew: !draft.id });
    return true;
  },

  async deleteProvider(id) {
    const r = await call('providersDelete', (api) => api.providersDelete(id));
    if (!r.ok) {
      get().showError(r.error, 'provider delete failed');
      return false;
    }
    set({ view: r.value });
    return true;
  },

  async fetchModels(which) {
    const r = await call('providersModels', (api) => api.providersModels(which));
    if (!r.ok) {
      saveFailed(r.error, 'fetch models failed');
      return null;
    }
    return r.value;
  },

  async detectProviders() {
    const r = await call('providersDetect', (api) => api.providersDetect());
    return r.ok ? r.value : [];
  },

  async runDoctorFor(providerId) {
    set({ section: 'diagnostics', doctorProviderId: providerId, doctorModel: null });
    await get().runDoctor();
  },

  addProvider(preset) {
    set(preset ? { section: 'settings', newProviderPreset: preset } : { newProviderPreset: null });
  },

  pickDoctorProvider(providerId, model = null) {
    set({ doctorProviderId: providerId, doctorModel: model });
  },

  async saveSettings(patch, changed) {
    const r = await call('settingsSet', (api) => api.settingsSet(patch));
    if (!r.ok) {
      saveFailed(r.error, 'settings save failed');
      return false;
    }
    set((s) => ({ view: r.value, viewRevision: s.viewRevision + 1, savedRevision: s.viewRevision + 1, error: null, saveError: null }));
    applyLanguage(r.value.settings.ui?.language);
    applyTheme(r.value.settings.ui?.theme);
    log.info('settings saved', { changed });
    return true;
  },

  async pickCaFile() {
    const r = await call('settingsPickCaFile', (api) => api.settingsPickCaFile());
    if (!r.ok) {
      // Said at the field by the form; the banner only for a refusal that names no field.
      if (r.error.field) log.warn('CA file refused', r.error);
      else get().showError(r.error, 'CA file refused');
      return r.error.field ? { error: r.error } : null;
    }
    return r.value === null ? null : { path: r.value };
  },

  async runDoctor() {
    if (get().doctor.running) return;
    set({ doctor: { running: true, steps: [], report: null, cancelled: false } });
    log.info('doctor started');
    const target = doctorTarget(get().view, get().doctorProviderId, useChat.getState().page?.conversation ?? null, get().doctorModel);
    const r = await call('doctorRun', (api) => (target ? api.doctorRun(target) : api.doctorRun()));
    if (r.ok) {
      set({ doctor: { running: false, steps: r.value.steps, report: r.value, cancelled: false } });
      log.info('doctor finished', { verdict: r.value.verdict, findings: r.value.findings });
    } else if (r.error.code === 'cancelled') {
      set((s) => ({ doctor: { ...s.doctor, running: false, cancelled: true } }));
      log.info('doctor cancelled');
    } else {
      set((s) => ({ doctor: { ...s.doctor, running: false } }));
      get().showError(r.error, 'doctor failed');
    }
  },

  async cancelDoctor() {
    if (!get().doctor.running) return;
    const r = await call('doctorCancel', (api) => api.doctorCancel());
    if (!r.ok) get().showError(r.error, 'doctor cancel failed');
  },

  onDoctorStep(step) {
    // Steps of a finished run (late events) are already in the report.
    if (!get().doctor.running) return;
    set((s) => {
      const steps = s.doctor.steps.filter((x) => x.id !== step.id);
      steps.push(step);
      return { doctor: { ...s.doctor, steps } };
    });
  },

  async exportDiagnostics() {
    if (get().exporting) return;
    set({ exporting: true, exportResult: null });
    const r = await call('diagnosticsExport', (api) => api.diagnosticsExport());
    set({ exporting: false });
    if (!r.ok) {
      get().showError(r.error, 'diagnostics export failed');
      return;
    }
    // null: the user cancelled the save dialog.
    if (r.value === null) return;
    set({ exportResult: r.value });
    log.info('diagnostics exported', { files: r.value.files.length, secretsStripped: r.value.secretsStripped });
  },

  async openLogs() {
    const r = await call('logsOpen', (api) => api.logsOpen());
    if (!r.ok) {
      get().showError(r.error, 'open log folder failed');
      return;
    }
    set((s) => ({ logsOpened: true, info: s.info ? { ...s.info, logDir: r.value || s.info.logDir } : s.info }));
  },

  showError(error, context) {
    set({ error });
    log.warn(context, error);
  },

  dismissError() {
    set({ error: null });
  },
}));
