/**
 * The native dialogs the app services ask for (save, open, a CA file, a link to open, a secret to send), each
 * shown over the app's main window when it has the focus, else on its own (never over the small quick window,
 * which hides when a dialog takes its focus).
 */
import { app, dialog, shell } from 'electron';
import { join } from 'node:path';
import type { AppServicesOptions } from '../services/app.ts';
import { secretUseDialog, syncSecretMoveDialog, updateFeedsDialog } from './secret-dialog.ts';
import { mcpImportDialog, mcpSaveDialog, TOOL_DIALOG_DECISIONS, toolApprovalDialog } from './tool-dialog.ts';
import { dialogParent } from './window.ts';

export type NativeDialogs = Required<Pick<AppServicesOptions, 'chooseExportPath' | 'chooseSavePath' | 'chooseOpenPath' | 'chooseBackupFile' | 'chooseCaFile' | 'chooseAttachments' | 'openExternal' | 'confirmSecretUse' | 'confirmToolCall' | 'confirmMcpImport' | 'confirmMcpSave' | 'confirmSyncSecretMove' | 'confirmUpdateFeeds'>>;

export async function messageBox(options: Electron.MessageBoxOptions): Promise<void> {
  const win = dialogParent();
  await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

async function save(defaultName: string, filter: { name: string; extensions: string[] }): Promise<string | null> {
  const win = dialogParent();
  const opts = { defaultPath: join(app.getPath('downloads'), defaultName), filters: [filter] };
  const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}

async function openOne(o: Electron.OpenDialogOptions): Promise<string | null> {
  const win = dialogParent();
  const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

/** `language`: the settings' ui.language when asked (uiLanguage), for the dialogs main words itself. */
export function nativeDialogs(language: () => string | undefined): NativeDialogs {
  return {
    chooseExportPath: async (defaultName) => save(defaultName, { name: 'Zip', extensions: ['zip'] }),
    chooseSavePath: async (defaultName, format) => save(defaultName, format === 'markdown' ? { name: 'Markdown', extensions: ['md'] } : { name: 'JSON', extensions: ['json'] }),
    chooseOpenPath: async () => openOne({ properties: ['openFile'], filters: [{ name: 'JSON', extensions: ['json'] }] }),
    // A Parley backup to restore: its folder (the data folder's backups/) is where Parley keeps them.
    chooseBackupFile: async () => {
      const lang = language();
      const zh = (!lang || lang === 'system' ? app.getLocale() : lang).toLowerCase().startsWith('zh');
      return openOne({ title: zh ? '从备份恢复' : 'Restore from a backup', defaultPath: join(app.getPath('userData'), 'backups'), properties: ['openFile'], filters: [{ name: zh ? 'Parley 备份' : 'Parley backup', extensions: ['zip'] }] });
    },
    chooseCaFile: async () =>
      openOne({ title: 'Add a trusted CA certificate', properties: ['openFile'], filters: [{ name: 'Certificates (PEM)', extensions: ['pem', 'crt', 'cer'] }, { name: 'All files', extensions: ['*'] }] }),
    // Attachments: several files at once, of any type (text and code files have any extension, or none); worded in
    // the window's language (the settings' ui.language, or the OS's for 'system').
    chooseAttachments: async () => {
      const win = dialogParent();
      const lang = language();
      const zh = (!lang || lang === 'system' ? app.getLocale() : lang).toLowerCase().startsWith('zh');
      const o: Electron.OpenDialogOptions = {
        title: zh ? '添加附件' : 'Attach files',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: zh ? '所有文件' : 'All files', extensions: ['*'] },
          { name: zh ? '图片' : 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp', 'gif'] },
          { name: 'PDF', extensions: ['pdf'] },
        ],
      };
      const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
      return r.canceled ? null : r.filePaths;
    },
    openExternal: async (url) => {
      // The user sees the full URL before anything leaves the app.
      const win = dialogParent();
      const o = { type: 'question' as const, buttons: ['Open', 'Cancel'], defaultId: 1, cancelId: 1, message: 'Open this link in your browser?', detail: url };
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      if (r.response !== 0) return false;
      await shell.openExternal(url);
      return true;
    },
    // A secret the window would send somewhere new: the user decides here, in main; the default answer is no.
    confirmSecretUse: async (req) => {
      const win = dialogParent();
      const o = secretUseDialog(req, language(), app.getLocale());
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return r.response === 1;
    },
    // A tool call: the user decides here, in main (the window cannot approve one); the default answer is deny.
    confirmToolCall: async (req, signal) => {
      const win = dialogParent();
      const o = { ...toolApprovalDialog(req, language(), app.getLocale()), signal };
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return TOOL_DIALOG_DECISIONS[r.response] ?? 'deny';
    },
    // Servers pasted in the window run programs: the user sees what, here, before anything is saved.
    confirmMcpImport: async (servers) => {
      const win = dialogParent();
      const o = mcpImportDialog(servers, language(), app.getLocale());
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return r.response === 1;
    },
    // A server typed in the window's editor runs a program or gets secrets: the user sees what, here, before it is saved.
    confirmMcpSave: async (question) => {
      const win = dialogParent();
      const o = mcpSaveDialog(question, language(), app.getLocale());
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return r.response === 1;
    },
    // The window changed the sync address without typing the password again: the user says whether it may go there.
    confirmSyncSecretMove: async (question) => {
      const win = dialogParent();
      const o = syncSecretMoveDialog(question, language(), app.getLocale());
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return r.response === 1;
    },
    // Feeds typed in the window decide what is installed: the user says yes here.
    confirmUpdateFeeds: async (feeds) => {
      const win = dialogParent();
      const o = updateFeedsDialog(feeds, language(), app.getLocale());
      const r = win ? await dialog.showMessageBox(win, o) : await dialog.showMessageBox(o);
      return r.response === 1;
    },
  };
}
