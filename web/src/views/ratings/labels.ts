// The words for rating levels and reason codes, from /api/v1/rating-reasons (asked once per
// page load).
import { ref } from 'vue';
import { localized } from '../../i18n';
import { ratingReasons, type RatingLevels } from '../../api/ratings';

let asked: Promise<RatingLevels> | null = null;
const levels = ref<RatingLevels>([]);

export function useRatingLabels() {
  if (!asked) {
    asked = ratingReasons().then((r) => r.levels);
    asked.then(
      (l) => (levels.value = l),
      () => (asked = null),
    );
  }
  const levelName = (level: number) => {
    const l = levels.value.find((x) => x.level === level);
    return l ? localized(l.zh, l.en) : String(level);
  };
  const reasonName = (code: string) => {
    for (const l of levels.value) {
      const r = l.reasons.find((x) => x.code === code);
      if (r) return localized(r.zh, r.en);
    }
    return code;
  };
  return { levelName, reasonName };
}
