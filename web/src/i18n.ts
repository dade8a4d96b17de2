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
