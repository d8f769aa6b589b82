export { confirmLeave, matchPath, navigate, withQuery } from './history';
export type { Location } from './history';
export { Link, useLeaveGuard, useLocation, useSearchParams } from './hooks';
