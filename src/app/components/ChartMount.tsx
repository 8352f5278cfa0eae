// Mounts a chart's SVG node (built by a pure chart function) into the React tree.

import { useLayoutEffect, useRef, type HTMLAttributes } from 'react';

export function ChartMount({ svg, ...rest }: { svg: SVGSVGElement | null } & HTMLAttributes<HTMLDivElement>) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(...(svg ? [svg] : []));
  }, [svg]);
  return <div ref={ref} {...rest} />;
}
