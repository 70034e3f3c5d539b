"""National reporting: reading the record at a log position, the exports of every form and report
(CSV and XLSX, streamed, stamped with the log position and chain head), their verification, the SIASN
course export and the bulk import of officers and their histories."""
