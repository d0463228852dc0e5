/** A column of a table the core writes (Parquet or CSV). */
export interface TableColumn {
  name: string;
  type: 'string' | 'int32' | 'double' | 'timestamp';
  /** Nulls allowed (statistics of a parcel without valid pixels, items without a date). */
  nullable: boolean;
}

/** One batch of rows, column by column: strings, numbers, Date or null. */
export type TableBatch = (string | number | Date | null)[][];

/** A table written batch by batch to a local file: memory holds one batch, never the table. */
export interface TableWriter {
  /** Appends rows; `columns[c][r]` is row r of column c. */
  append(columns: TableBatch): Promise<void>;
  /** Flushes and closes; the file is complete only after this. */
  close(): Promise<void>;
}
