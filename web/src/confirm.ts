// Asks before a step that cannot be undone (a decision, a revocation, a deletion): a modal
// dialog (Element Plus's message box: focus stays inside, Escape cancels) with one plain
// sentence naming the case or object, and the step itself as the confirming button's label,
// so that "OK" is never the only clue. Resolves true on confirm, false on cancel or close.
import { ElMessageBox } from 'element-plus/es/components/message-box/index.mjs';
import 'element-plus/es/components/message-box/style/css';
import { i18n } from './i18n';

export async function confirmStep(sentence: string, step: string): Promise<boolean> {
  const t = i18n.global.t;
  try {
    await ElMessageBox.confirm(sentence, t('confirm.title'), {
      type: 'warning',
      confirmButtonText: step,
      cancelButtonText: t('confirm.cancel'),
      confirmButtonClass: 'confirm-step',
      cancelButtonClass: 'confirm-cancel',
      closeOnClickModal: false,
      autofocus: false,
    });
    return true;
  } catch {
    return false;
  }
}
