// Fails fast, with the fix, when the tests are started under the wrong Node.
module.exports = async () => {
	const major = Number(process.versions.node.split('.')[0]);
	if (major < 24) {
		throw new Error(
			`These tests need Node 24 (n8n 2.x), but this is Node ${process.versions.node}. Run: source scripts/node24.sh && npm ci && npm test`,
		);
	}
};
