// Situational guidance (情形引导): an item's or a bundle's questions, the answers given to them
// ({ residence: 'local' }), and what follows from the answers: which materials (a material's
// `when`) and which items of a bundle (its item_conditions) apply, the questions still
// unanswered (the option chosen may carry item_code: a different service to apply for), and
// the answers carried in a link (?s=residence.local,scale.small) from a guide to its application.
// The catalog's types are structural here (what the API sends: api/catalog.ts).

export interface SituationOption {
  code: string;
  label: string;
  label_en?: string;
  item_code?: string;
}
export interface Situation {
  code: string;
  question: string;
  question_en?: string;
  options: SituationOption[];
}
// "Only when the answer to `situation` is one of `options`".
export interface When {
  situation: string;
  options: string[];
}
export type Answers = Record<string, string>;

// True when every condition holds for the answers (no condition: always).
export function applies(when: When[] | undefined, answers: Answers): boolean {
  return (when ?? []).every((w) => w.options.includes(answers[w.situation]));
}

// True unless an answer given rules it out (a condition on an unanswered question may still
// hold): what a page lists while questions are open.
export function mayApply(when: When[] | undefined, answers: Answers): boolean {
  return (when ?? []).every((w) => !answers[w.situation] || w.options.includes(answers[w.situation]));
}

// The option chosen for `s`, if a valid one is.
export function chosen(s: Situation, answers: Answers): SituationOption | undefined {
  return s.options.find((o) => o.code === answers[s.code]);
}

// The questions without a valid answer.
export function unanswered(situations: Situation[] | undefined, answers: Answers): Situation[] {
  return (situations ?? []).filter((s) => !chosen(s, answers));
}

// Answers for a link: "residence.local,scale.small" ('' when none).
export function encodeAnswers(answers: Answers): string {
  return Object.entries(answers)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}.${v}`)
    .join(',');
}

// The answers a link carries, kept only where they answer one of `situations` validly.
export function decodeAnswers(text: unknown, situations: Situation[] | undefined): Answers {
  const out: Answers = {};
  for (const part of typeof text === 'string' ? text.split(',') : []) {
    const dot = part.indexOf('.');
    const [k, v] = [part.slice(0, dot), part.slice(dot + 1)];
    if (dot > 0 && (situations ?? []).some((s) => s.code === k && s.options.some((o) => o.code === v))) out[k] = v;
  }
  return out;
}
