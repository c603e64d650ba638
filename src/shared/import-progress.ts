/** How far an import of conversations is (the 'conversations:importProgress' event; main → window). */
export interface ImportProgress {
  /** 'importing': reading and writing; 'removing': cancelled or failed, the conversations written so far are being removed. */
  phase: 'importing' | 'removing';
  /** Bytes of the file read so far, of its size. */
  bytesRead: number;
  totalBytes: number;
  /** Conversations and messages written so far (while removing: still to remove). */
  conversations: number;
  messages: number;
  /**
   * Files the messages carry: stored so far, and those that could not be (not in the file, not beside a ChatGPT
   * export, or refused), with the first names of those. Absent: none so far.
   */
  attachments?: { stored: number; missing: number; missingNames: string[] };
}
