// A one-line progress display for long CLI work (redrawn in place on a terminal, plain lines otherwise).

export function progressLine(stream: NodeJS.WriteStream = process.stderr) {
  let last = '';
  return {
    update(label: string, done: number, total: number, detail = '') {
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}`.slice(0, 110);
      if (stream.isTTY) stream.write(`\r${line.padEnd(last.length)}`);
      else if (done === total) stream.write(`${line}\n`);
      last = line;
    },
    done() {
      if (stream.isTTY && last) stream.write('\n');
      last = '';
    },
  };
}
