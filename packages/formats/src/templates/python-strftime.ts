/**
 * Python's `datetime.strftime` in the C locale, for the `strftime_now` global
 * that transformers gives chat templates (Llama 3.x prints today's date).
 * @module
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Day of the year, 1-based, in local time (Python's `%j`). */
function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  const today = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  return Math.round((today.getTime() - start.getTime()) / 86_400_000) + 1;
}

/**
 * Formats a local time as Python's `strftime` does in the C locale. Supports
 * `%a %A %b %B %d %H %I %j %m %M %p %S %y %Y %%`; `%z`/`%Z` print nothing, as
 * for Python's naive `datetime.now()`. Other directives are kept as written.
 */
export function pythonStrftime(date: Date, format: string): string {
  return format.replace(/%[aAbBdHIjmMpSyYzZ%]/g, (directive) => {
    switch (directive) {
      case '%a':
        return DAYS[date.getDay()]!.slice(0, 3);
      case '%A':
        return DAYS[date.getDay()]!;
      case '%b':
        return MONTHS[date.getMonth()]!.slice(0, 3);
      case '%B':
        return MONTHS[date.getMonth()]!;
      case '%d':
        return pad(date.getDate());
      case '%H':
        return pad(date.getHours());
      case '%I':
        return pad(date.getHours() % 12 === 0 ? 12 : date.getHours() % 12);
      case '%j':
        return pad(dayOfYear(date), 3);
      case '%m':
        return pad(date.getMonth() + 1);
      case '%M':
        return pad(date.getMinutes());
      case '%p':
        return date.getHours() < 12 ? 'AM' : 'PM';
      case '%S':
        return pad(date.getSeconds());
      case '%y':
        return pad(date.getFullYear() % 100);
      case '%Y':
        return String(date.getFullYear());
      case '%z':
      case '%Z':
        return '';
      default:
        return '%';
    }
  });
}
