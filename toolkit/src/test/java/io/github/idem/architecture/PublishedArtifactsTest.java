package io.github.idem.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Keeps the published artifacts, the BOM and the licence in step with the reactor's modules: a
 * module added to the root pom is either published (and then listed in {@code idem-bom}) or skips
 * install and deploy like the examples and benchmarks, whose shaded jars are about 300 MB each.
 */
class PublishedArtifactsTest {
  private static final Path ROOT = Path.of("..");
  private static final String UNPUBLISHED_FLAG = "maven.install.skip";

  @Test
  void examplesAndBenchmarksAreNeitherInstalledNorDeployed() throws IOException {
    Map<String, Element> modules = modulePoms();
    for (String artifact : List.of("idem-examples", "idem-benchmarks")) {
      assertThat(modules).containsKey(artifact);
      for (String skip :
          List.of(
              UNPUBLISHED_FLAG, "maven.deploy.skip", "maven.source.skip", "maven.javadoc.skip")) {
        assertThat(property(modules.get(artifact), skip))
            .as(artifact + " " + skip)
            .isEqualTo("true");
      }
    }
  }

  @Test
  void theBomListsEveryPublishedModuleAndNothingUnpublished() throws IOException {
    Element bom = pom(ROOT.resolve("bom/pom.xml"));
    Map<String, String> managed = new TreeMap<>();
    for (Element dependency :
        children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("io.github.idem");
      managed.put(text(dependency, "artifactId"), text(dependency, "version"));
    }
    for (Map.Entry<String, Element> module : modulePoms().entrySet()) {
      Element pom = module.getValue();
      boolean published =
          !"pom".equals(text(pom, "packaging")) && !"true".equals(property(pom, UNPUBLISHED_FLAG));
      if (published) {
        assertThat(managed).as("idem-bom").containsEntry(module.getKey(), "${project.version}");
      } else {
        assertThat(managed).as("idem-bom").doesNotContainKey(module.getKey());
      }
    }
  }

  @Test
  void theBomHasNoParentAndTheParentsCoordinatesAndLicence() throws IOException {
    Element parent = pom(ROOT.resolve("pom.xml"));
    Element bom = pom(ROOT.resolve("bom/pom.xml"));
    assertThat(child(bom, "parent")).as("idem-bom's parent").isNull();
    assertThat(text(bom, "groupId")).isEqualTo(text(parent, "groupId"));
    assertThat(text(bom, "version")).isEqualTo(text(parent, "version"));
    assertThat(licences(bom)).isEqualTo(licences(parent)).containsExactly("Apache-2.0");
  }

  @Test
  void theBomUsesTheParentsPluginVersions() throws IOException {
    Map<String, String> parentVersions = pluginVersions(pom(ROOT.resolve("pom.xml")));
    Map<String, String> bomVersions = pluginVersions(pom(ROOT.resolve("bom/pom.xml")));
    assertThat(bomVersions).containsKey("spotless-maven-plugin");
    for (Map.Entry<String, String> plugin : bomVersions.entrySet()) {
      assertThat(plugin.getValue())
          .as(plugin.getKey() + " in idem-bom")
          .isEqualTo(parentVersions.get(plugin.getKey()));
    }
  }

  @Test
  void everyOtherModuleInheritsTheLicenceFromTheParent() throws IOException {
    for (Map.Entry<String, Element> module : modulePoms().entrySet()) {
      if (module.getKey().equals("idem-bom")) {
        continue;
      }
      Element pom = module.getValue();
      assertThat(text(child(pom, "parent"), "artifactId"))
          .as(module.getKey())
          .isEqualTo("idem-parent");
      assertThat(child(pom, "licenses")).as(module.getKey() + " overrides the licence").isNull();
    }
  }

  @Test
  void theLicenceFileIsTheApacheLicence() throws IOException {
    String licence = Files.readString(ROOT.resolve("LICENSE"), StandardCharsets.UTF_8);
    assertThat(licence.strip())
        .startsWith("Apache License\n")
        .contains("Version 2.0, January 2004");
    assertThat(licence).contains("END OF TERMS AND CONDITIONS");
  }

  /** Each module of the root pom by artifactId. */
  private static Map<String, Element> modulePoms() throws IOException {
    Map<String, Element> modules = new TreeMap<>();
    Element root = pom(ROOT.resolve("pom.xml"));
    for (Element module : children(child(root, "modules"), "module")) {
      Element pom = pom(ROOT.resolve(module.getTextContent().strip()).resolve("pom.xml"));
      modules.put(text(pom, "artifactId"), pom);
    }
    assertThat(modules).containsKeys("idem-dialects", "idem-toolkit", "idem-bom");
    return modules;
  }

  /**
   * Plugin versions by artifactId, from build/plugins and pluginManagement, properties resolved.
   */
  private static Map<String, String> pluginVersions(Element pom) {
    Map<String, String> versions = new TreeMap<>();
    Element build = child(pom, "build");
    List<Element> plugins = new ArrayList<>(children(child(build, "plugins"), "plugin"));
    plugins.addAll(children(child(child(build, "pluginManagement"), "plugins"), "plugin"));
    for (Element plugin : plugins) {
      String version = text(plugin, "version");
      if (version != null && version.startsWith("${")) {
        version = property(pom, version.substring(2, version.length() - 1));
      }
      if (version != null) {
        versions.put(text(plugin, "artifactId"), version);
      }
    }
    return versions;
  }

  private static List<String> licences(Element pom) {
    List<String> names = new ArrayList<>();
    for (Element licence : children(child(pom, "licenses"), "license")) {
      names.add(text(licence, "name"));
    }
    return names;
  }

  private static String property(Element pom, String name) {
    return text(child(pom, "properties"), name);
  }

  private static Element pom(Path file) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document document = factory.newDocumentBuilder().parse(file.toFile());
      return document.getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("cannot parse " + file, e);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    if (parent == null) {
      return found;
    }
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  /** The text of the direct child element {@code name}, or null when there is none. */
  private static String text(Element parent, String name) {
    Element found = child(parent, name);
    return found == null ? null : found.getTextContent().strip();
  }
}
