// vue-i18n set-up: zh-CN by default, English second. The choice is remembered and the
// document's lang attribute follows it (WCAG 3.1.1). The Chinese messages come with the
// portal's first script; the English ones load when they are asked for (a remembered choice,
// ?lang=en or the language switch), so that a Chinese reader does not download both.
import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: { code: Locale; label: string }[] = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

function initial(): Locale {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'zh-CN') return fromUrl;
  const saved = localStorage.getItem('ow.locale');
  return saved === 'en' ? 'en' : 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<Locale, typeof zhCN>,
});

async function loadMessages(l: Locale): Promise<void> {
  if (l === 'en' && !i18n.global.availableLocales.includes('en')) i18n.global.setLocaleMessage('en', (await import('./locales/en')).default);
}

function show(l: Locale): void {
  i18n.global.locale.value = l;
  document.documentElement.lang = l;
}

// Switches the language once its messages are in, and remembers the choice.
export async function setLocale(l: Locale): Promise<void> {
  await loadMessages(l);
  show(l);
  localStorage.setItem('ow.locale', l);
}

// Settles when the first language's messages are in (main.ts mounts the app then). Should the
// English ones fail to load, the portal starts in Chinese.
export const localeReady: Promise<void> = (() => {
  const l = initial();
  if (l === 'zh-CN') return Promise.resolve(show(l));
  return loadMessages(l).then(
    () => show(l),
    () => show('zh-CN'),
  );
})();

// Picks the English or Chinese variant of a catalog text (name / name_en).
export function localized(zh: string | undefined, enText: string | undefined): string {
  return i18n.global.locale.value === 'en' && enText ? enText : zh || enText || '';
}

// A list in running text: "自然人、法人" in Chinese, "Individuals, organizations" in English.
// `common`: the parts are labels of common nouns, lower-cased after the first in English;
// `clauses`: the parts are clauses, joined by "；" or "; ".
export function joinList(parts: string[], how: { common?: boolean; clauses?: boolean } = {}): string {
  const en = i18n.global.locale.value === 'en';
  const shown = parts.filter(Boolean).map((p, i) => (en && how.common && i > 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p));
  if (how.clauses) return shown.join(en ? '; ' : '；');
  return shown.join(en ? ', ' : '、');
}

// A label and its detail, as the language writes them: "受理：到窗口提交" and "Application:
// hand in the forms"; "¥20.00（依据）" and "¥20.00 (basis)". Without a detail, the label alone.
export function labelled(label: string, detail: string): string {
  if (!detail) return label;
  return i18n.global.locale.value === 'en' ? `${label}: ${detail}` : `${label}：${detail}`;
}
export function parenthesized(text: string, aside: string): string {
  if (!aside) return text;
  return i18n.global.locale.value === 'en' ? `${text} (${aside})` : `${text}（${aside}）`;
}
