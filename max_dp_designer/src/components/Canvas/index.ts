export { Canvas, useAddAtCenter } from './Canvas';
export { Palette } from './Palette';
export { nodeTypes } from './nodeTypes';
export { shortcutFor, useShortcuts } from './useShortcuts';
