import { exportFigure, type FigureFormat } from './exportFigure';

/** PNG and SVG buttons for one figure; `build` makes the figure at export time. */
export function ExportButtons({ build, name, disabled, testId }: { build: () => SVGSVGElement | null; name: string; disabled: boolean; testId: string }) {
  const save = (format: FigureFormat) => {
    exportFigure(build(), format, name).catch((e: unknown) => alert(`Export failed: ${e instanceof Error ? e.message : String(e)}`));
  };
  return (
    <span className="export-buttons" role="group" aria-label={`Export ${name}`}>
      <button type="button" data-testid={`${testId}-png`} disabled={disabled} onClick={() => save('png')} title="Download as PNG (2× resolution)">
        PNG
      </button>
      <button type="button" data-testid={`${testId}-svg`} disabled={disabled} onClick={() => save('svg')} title="Download as SVG">
        SVG
      </button>
    </span>
  );
}
