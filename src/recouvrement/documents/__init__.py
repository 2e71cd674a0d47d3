"""Letters and court documents: DOCX rendering, mandatory mentions, PDF conversion."""
