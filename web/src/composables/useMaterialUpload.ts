// Uploading materials: each picked file goes to POST /api/v1/materials in turn and stands in
// a list with its progress, then the stored material or the problem that refused it (415 not
// a PDF, JPEG, PNG or OFD; 413 too large; 422 an empty or unreadable file). MaterialUpload.vue
// shows such a list; the page sends the ids of the stored materials with its request.
import { reactive, type Ref } from 'vue';
import { uploadMaterial, type UploadedMaterial } from '../api/materials';

export interface Upload {
  file: string;
  percent: number;
  material?: UploadedMaterial;
  error?: unknown;
}

// The types the server stores (UploadedMaterial.media_type), for the file picker.
export const UPLOAD_ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd';

// `list` receives the uploads; `enterprise` (a credit code, or '') names the enterprise the
// files are uploaded for, read when each upload starts.
export function useMaterialUpload(list: Ref<Upload[]>, enterprise: () => string = () => '') {
  async function add(files: Iterable<File>): Promise<void> {
    for (const file of files) {
      const up = reactive<Upload>({ file: file.name, percent: 0 });
      list.value.push(up);
      try {
        up.material = await uploadMaterial(file, (p) => (up.percent = p), enterprise());
      } catch (e) {
        up.error = e;
      }
    }
  }
  // The change handler of an <input type="file">: uploads what was picked, then clears it.
  async function pick(ev: Event): Promise<void> {
    const input = ev.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = '';
    await add(files);
  }
  return { add, pick };
}

// The ids of the uploads that were stored, in order.
export function uploadedIds(list: readonly Upload[]): string[] {
  return list.flatMap((u) => (u.material ? [u.material.id] : []));
}
