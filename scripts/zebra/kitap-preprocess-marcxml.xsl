<?xml version="1.0" encoding="UTF-8"?>
<!--
  First extract pass, as Koha's preprocess_marcxml.xsl does: an 880
  (alternate graphic representation) is indexed as the field its $6 links
  to, so vernacular titles/authors/subjects are searchable too.
-->
<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:marc="http://www.loc.gov/MARC21/slim"
                version="1.0">
  <xsl:output method="xml" version="1.0" encoding="UTF-8"/>

  <xsl:template match="@*|node()">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="marc:datafield[@tag='880']">
    <marc:datafield tag="{substring(marc:subfield[@code='6'], 1, 3)}"
                    ind1="{@ind1}" ind2="{@ind2}">
      <xsl:apply-templates select="marc:subfield[@code!='6']"/>
    </marc:datafield>
  </xsl:template>
</xsl:stylesheet>
