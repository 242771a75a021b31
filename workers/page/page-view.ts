/** The mapping of PDF user space to the displayed page, as pdfjs's viewport has it at scale 1. */
export interface PageView {
  width: number;
  height: number;
  transform: number[];
}
