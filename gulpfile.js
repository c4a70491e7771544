// Node and credential icons are not TypeScript, so tsc leaves them behind;
// n8n resolves `file:` icons next to the built .js files.
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
