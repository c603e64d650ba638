/**
 * Why a settings field was not saved, next to the field: main's reason (the same check the command line and
 * the doctor use), its hint, and the corrected value to use when main knows one. The field itself gets
 * aria-invalid and points at this text (fieldAria).
 */
import { useTranslation } from 'react-i18next';

/** What is wrong with one field: from main (an ErrorInfo naming the field) or from the form's own range check. */
export interface FieldProblem {
  field: string;
  message: string;
  hint?: string;
  corrected?: string;
}

/** What a form shows: one problem (a provider's form), or every field refused at once (the settings form). */
export type FieldProblems = FieldProblem | readonly FieldProblem[] | null;

/** The problem of one field among those shown. */
const problemOf = (problems: FieldProblems, field: string): FieldProblem | undefined => (Array.isArray(problems) ? (problems as readonly FieldProblem[]).find((p) => p.field === field) : (problems as FieldProblem | null)?.field === field ? (problems as FieldProblem) : undefined);

/** The id of the reason's element for a field whose input has the id `inputId`. */
export const errorId = (inputId: string): string => `${inputId}-error`;

/** aria-invalid and aria-describedby for a field: its help text, and the reason while it is refused. */
export function fieldAria(inputId: string, field: string, problems: FieldProblems, help?: string): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  const invalid = problemOf(problems, field) !== undefined;
  const describedBy = [invalid ? errorId(inputId) : undefined, help].filter(Boolean).join(' ');
  return { ...(invalid ? { 'aria-invalid': true as const } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) };
}

export function FieldError({ inputId, field, problem: problems, onUse }: { inputId: string; field: string; problem: FieldProblems; onUse?: (value: string) => void }): React.JSX.Element | null {
  const { t } = useTranslation();
  const problem = problemOf(problems, field);
  if (!problem) return null;
  return (
    <div id={errorId(inputId)} className="field-error" role="alert" data-testid={`field-error-${field}`}>
      <span className="field-error-message">{problem.message}</span>
      {problem.hint && !problem.corrected ? <span className="field-error-hint"> {problem.hint}</span> : null}
      {problem.corrected && onUse ? (
        <button type="button" className="link-button field-fix" data-testid={`field-fix-${field}`} onClick={() => onUse(problem.corrected as string)}>
          {t('settings.useCorrected', { value: problem.corrected })}
        </button>
      ) : null}
    </div>
  );
}
