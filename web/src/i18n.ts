// vue-i18n set-up: zh-CN by default, English second. The choice is remembered and the
// document's lang attribute follows it (WCAG 3.1.1).
import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN';
import en from './locales/en';

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
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l;
  localStorage.setItem('ow.locale', l);
  document.documentElement.lang = l;
}
document.documentElement.lang = i18n.global.locale.value;

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
