<?xml version="1.0" encoding="UTF-8"?>
<!--
  Index definitions for MARC 21 bibliographic records (DOM filter, second
  extract pass). A smaller hand-written counterpart of Koha's generated
  marc_defs/marc21/biblios/biblio-zebra-indexdefs.xsl, in the same form:
  one <z:record> per record, <z:index name="Index:type"> elements, where
  :w is the ICU word register, :p the ICU phrase register and :s the sort
  register (icu.idx). Index names are bib1.att names, so Z39.50/SRU use
  attributes (1=4 Title, 1=1003 Author, ...) reach them.

  Indexed:
    001          Local-number, Control-number     (rec.id)
    005          Date/time-last-modified
    020 a        ISBN, Identifier-standard        (bath.isbn)
    022 a        ISSN, Identifier-standard
    100/110/111  Author (w p s on $a, w p on the whole field), Author-name-*
    700/710/711  Author (w p)
    245 a        Title (w p s); 245 abfgknps Title (w p); 245 c Author (w)
    130 240 246 730 740  Title (w p)
    440 490 800 810 830  Title-series (w p), Title (w)
    600 610 611 630 650 651 655  Subject-heading (w p)
    260/264 b    Publisher (w)
    every text() Any (w p)                        (cql.anywhere)
-->
<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:marc="http://www.loc.gov/MARC21/slim"
                xmlns:z="http://indexdata.com/zebra-2.0"
                exclude-result-prefixes="marc"
                version="1.0">
  <xsl:output method="xml" version="1.0" encoding="UTF-8" indent="yes"/>

  <xsl:template match="text()"/>
  <xsl:template match="text()" mode="fields"/>

  <xsl:template match="/">
    <xsl:apply-templates select="marc:collection/marc:record | marc:record"/>
  </xsl:template>

  <xsl:template match="marc:record">
    <z:record type="update"
              z:id="{normalize-space(marc:controlfield[@tag='001'])}">
      <xsl:apply-templates mode="fields"/>
      <xsl:apply-templates mode="any"/>
    </z:record>
  </xsl:template>

  <!-- subfields whose codes are in $codes (all if empty), space-joined -->
  <xsl:template name="join">
    <xsl:param name="codes" select="''"/>
    <xsl:variable name="raw">
      <xsl:for-each select="marc:subfield[$codes = '' or contains($codes, @code)]">
        <xsl:if test="position() &gt; 1">
          <xsl:text> </xsl:text>
        </xsl:if>
        <xsl:value-of select="."/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:value-of select="normalize-space($raw)"/>
  </xsl:template>

  <!-- control fields -->
  <xsl:template mode="fields" match="marc:controlfield[@tag='001']">
    <z:index name="Local-number:w Control-number:w">
      <xsl:value-of select="normalize-space(.)"/>
    </z:index>
  </xsl:template>

  <xsl:template mode="fields" match="marc:controlfield[@tag='005']">
    <z:index name="Date/time-last-modified:w">
      <xsl:value-of select="."/>
    </z:index>
  </xsl:template>

  <!-- identifiers -->
  <xsl:template mode="fields" match="marc:datafield[@tag='020']">
    <xsl:for-each select="marc:subfield[@code='a']">
      <z:index name="ISBN:w Identifier-standard:w">
        <xsl:value-of select="."/>
      </z:index>
    </xsl:for-each>
  </xsl:template>

  <xsl:template mode="fields" match="marc:datafield[@tag='022']">
    <xsl:for-each select="marc:subfield[@code='a']">
      <z:index name="ISSN:w Identifier-standard:w">
        <xsl:value-of select="."/>
      </z:index>
    </xsl:for-each>
  </xsl:template>

  <!-- main entries -->
  <xsl:template mode="fields" match="marc:datafield[@tag='100' or @tag='110' or @tag='111']">
    <xsl:for-each select="marc:subfield[@code='a']">
      <z:index name="Author:w Author:p Author:s">
        <xsl:value-of select="."/>
      </z:index>
    </xsl:for-each>
    <xsl:variable name="kind">
      <xsl:choose>
        <xsl:when test="@tag='100'">Author-name-personal</xsl:when>
        <xsl:when test="@tag='110'">Author-name-corporate</xsl:when>
        <xsl:otherwise>Author-name-conference</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <z:index name="Author:w Author:p {$kind}:w">
      <xsl:call-template name="join"/>
    </z:index>
  </xsl:template>

  <!-- added entries -->
  <xsl:template mode="fields" match="marc:datafield[@tag='700' or @tag='710' or @tag='711']">
    <z:index name="Author:w Author:p">
      <xsl:call-template name="join"/>
    </z:index>
  </xsl:template>

  <!-- titles -->
  <xsl:template mode="fields" match="marc:datafield[@tag='245']">
    <xsl:for-each select="marc:subfield[@code='a']">
      <z:index name="Title:w Title:p Title:s">
        <xsl:value-of select="."/>
      </z:index>
    </xsl:for-each>
    <z:index name="Title:w Title:p">
      <xsl:call-template name="join">
        <xsl:with-param name="codes" select="'abfgknps'"/>
      </xsl:call-template>
    </z:index>
    <xsl:for-each select="marc:subfield[@code='c']">
      <z:index name="Author:w">
        <xsl:value-of select="."/>
      </z:index>
    </xsl:for-each>
  </xsl:template>

  <xsl:template mode="fields"
                match="marc:datafield[@tag='130' or @tag='240' or @tag='246' or @tag='730' or @tag='740']">
    <z:index name="Title:w Title:p">
      <xsl:call-template name="join">
        <xsl:with-param name="codes" select="'abfgklmnoprs'"/>
      </xsl:call-template>
    </z:index>
  </xsl:template>

  <xsl:template mode="fields"
                match="marc:datafield[@tag='440' or @tag='490' or @tag='800' or @tag='810' or @tag='830']">
    <z:index name="Title-series:w Title-series:p Title:w">
      <xsl:call-template name="join">
        <xsl:with-param name="codes" select="'abnptv'"/>
      </xsl:call-template>
    </z:index>
  </xsl:template>

  <!-- subjects -->
  <xsl:template mode="fields"
                match="marc:datafield[@tag='600' or @tag='610' or @tag='611' or @tag='630' or @tag='650' or @tag='651' or @tag='655']">
    <z:index name="Subject-heading:w Subject-heading:p">
      <xsl:call-template name="join">
        <xsl:with-param name="codes" select="'abcdefghklmnopqrstuvxyz'"/>
      </xsl:call-template>
    </z:index>
  </xsl:template>

  <!-- publication -->
  <xsl:template mode="fields" match="marc:datafield[@tag='260' or @tag='264']">
    <xsl:for-each select="marc:subfield[@code='b']">
      <z:index name="Publisher:w">
        <xsl:value-of select="."/>
      </z:index>
    </xsl:for-each>
  </xsl:template>

  <!-- keyword anywhere: every text node, as Koha's index_all -->
  <xsl:template mode="any" match="text()">
    <z:index name="Any:w Any:p">
      <xsl:value-of select="."/>
    </z:index>
  </xsl:template>
</xsl:stylesheet>
