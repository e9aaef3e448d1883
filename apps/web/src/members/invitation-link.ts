// The server answers an invitation's link on the origin the admin called from, or as a path.
export const absoluteLink = (url: string): string => new URL(url, location.origin).href;
