// Fills in an application form with what the platform knows already (GET /api/v1/me/prefill:
// the applicant's name, ID number and phone, and an enterprise's name when applying in its
// name), so that nobody types them again. Only empty fields, or fields still holding what
// was filled in before, are set: whatever the person typed stays. Applying for oneself
// again takes the enterprise's values back out.
import { ref } from 'vue';
import { getPrefill } from '../api/cases';

export function usePrefill(form: Record<string, unknown>) {
  const filled: Record<string, string> = {};
  const count = ref(0);
  async function fill(items: string[], enterprise = '') {
    const values: Record<string, string> = {};
    try {
      for (const item of items) Object.assign(values, (await getPrefill(item, enterprise || undefined)).values);
    } catch {
      return; // nothing known (or not signed in as a person): the form stays as it is
    }
    for (const [k, v] of Object.entries(filled)) {
      if (!(k in values) && form[k] === v) delete form[k];
      if (!(k in values)) delete filled[k];
    }
    for (const [k, v] of Object.entries(values)) {
      const now = form[k];
      if (now === undefined || now === '' || now === filled[k]) {
        form[k] = v;
        filled[k] = v;
      }
    }
    count.value = Object.keys(filled).length;
  }
  return { fill, count };
}
