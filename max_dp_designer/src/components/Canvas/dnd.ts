/** dataTransfer type carrying a catalog node type from the palette to the canvas. */
export const NODE_TYPE_MIME = 'application/x-maxdp-node-type';
