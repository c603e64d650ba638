import { useTranslation } from 'react-i18next';

/** A stable code (error, verdict, finding), small and monospace. */
export function Code({ code }: { code: string }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <code className="code" title={t('common.code')}>
      {code}
    </code>
  );
}
