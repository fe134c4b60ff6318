package ai.realstaging.local.s3;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.helpers.DefaultHandler;

/** XML and date formats of the S3 wire protocol: response writing, safe request parsing, error documents. */
final class S3Xml {
  static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  // RFC_1123_DATE_TIME prints one-digit days; HTTP dates (and S3) always use two.
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private S3Xml() {}

  static String iso(Instant t) {
    return ISO_MILLIS.format(t);
  }

  static String httpDate(Instant t) {
    return HTTP_DATE.format(t);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&apos;").replace("\r", "&#xD;"); // a raw CR would be read back as LF
  }

  static String error(S3Error e, String resource, String requestId) {
    Writer w = new Writer("Error", false).el("Code", e.code).el("Message", e.getMessage());
    e.details.forEach(w::el);
    return w.el("Resource", resource).el("RequestId", requestId).done();
  }

  /** Parses a request body with DTDs refused, so entity tricks cannot reach files or the network. */
  static Element parse(byte[] body) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      var builder = f.newDocumentBuilder();
      builder.setErrorHandler(new DefaultHandler()); // quiet: the default prints to stderr
      return builder.parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (Exception e) {
      throw S3Error.malformedXml();
    }
  }

  static String name(Element e) {
    return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
  }

  /** Child elements, all of them or those with the given local name. */
  static List<Element> children(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && (localName == null || localName.equals(name(e)))) out.add(e);
    }
    return out;
  }

  static Element child(Element parent, String localName) {
    List<Element> c = children(parent, localName);
    return c.isEmpty() ? null : c.getFirst();
  }

  static String text(Element parent, String localName) {
    Element c = child(parent, localName);
    return c == null ? null : c.getTextContent().strip();
  }

  /** Streams elements into a string; the root carries the S3 namespace. */
  static final class Writer {
    private final StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    private final Deque<String> open = new ArrayDeque<>();

    Writer(String root) {
      this(root, true);
    }

    private Writer(String root, boolean namespaced) {
      b.append('<').append(root).append(namespaced ? " xmlns=\"" + NS + "\">" : ">");
      open.push(root);
    }

    Writer start(String name) {
      b.append('<').append(name).append('>');
      open.push(name);
      return this;
    }

    Writer end() {
      b.append("</").append(open.pop()).append('>');
      return this;
    }

    Writer el(String name, Object value) {
      if (value != null) b.append('<' + name + '>').append(escape(value.toString())).append("</" + name + '>');
      return this;
    }

    Writer text(String value) {
      b.append(escape(value));
      return this;
    }

    String done() {
      while (!open.isEmpty()) end();
      return b.toString();
    }
  }
}
