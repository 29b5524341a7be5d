package html

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"regexp"
	"sync"
)

//go:embed assets/leaflet.js assets/leaflet.css assets/images/*.png assets/basemap.json
//go:embed assets/app.js assets/app.css assets/page.html
var assetFS embed.FS

// CSP is the page's Content-Security-Policy: nothing may be loaded from
// outside the page. Scripts and styles are inline, images data: URLs.
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

// assets are the fixed parts of the page, in the order they are written:
// head, the title (escaped), style, body, the items, the data, then tail.
type assets struct {
	head, style, body, tail []byte
}

var loadAssets = sync.OnceValues(func() (*assets, error) {
	read := func(name string) []byte {
		b, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		return b
	}
	css := inlineImages(read("leaflet.css"), read)
	js := sourceMapComment.ReplaceAll(read("leaflet.js"), nil)
	app := read("app.js")
	basemap := bytes.TrimSpace(read("basemap.json"))
	for name, b := range map[string][]byte{"leaflet.js": js, "app.js": app, "basemap.json": basemap} {
		if closesScript(b) {
			return nil, fmt.Errorf("html: asset %s contains </script", name)
		}
	}
	a := &assets{}
	a.head = []byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta http-equiv=\"Content-Security-Policy\" content=\"" + CSP + "\">\n" +
		"<meta name=\"referrer\" content=\"no-referrer\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<meta name=\"generator\" content=\"geowarden\">\n<title>")
	var st bytes.Buffer
	st.WriteString("</title>\n<style>\n")
	st.Write(css)
	st.WriteString("\n")
	st.Write(read("app.css"))
	st.WriteString("</style>\n</head>\n")
	a.style = st.Bytes()
	a.body = read("page.html")
	var t bytes.Buffer
	t.WriteString(`<script type="application/json" id="gw-basemap">`)
	t.Write(basemap)
	t.WriteString("</script>\n<script>\n")
	t.Write(js)
	t.WriteString("\n</script>\n<script>\n")
	t.Write(app)
	t.WriteString("</script>\n</body>\n</html>\n")
	a.tail = t.Bytes()
	return a, nil
})

var (
	sourceMapComment = regexp.MustCompile(`(?m)^//# sourceMappingURL=.*$`)
	cssImage         = regexp.MustCompile(`url\(images/([a-z0-9-]+\.png)\)`)
)

// inlineImages replaces Leaflet's url(images/x.png) references by data:
// URLs, so that the stylesheet loads nothing.
func inlineImages(css []byte, read func(string) []byte) []byte {
	return cssImage.ReplaceAllFunc(css, func(m []byte) []byte {
		name := cssImage.FindSubmatch(m)[1]
		return []byte("url(data:image/png;base64," + base64.StdEncoding.EncodeToString(read("images/"+string(name))) + ")")
	})
}

// closesScript reports whether b contains "</script" in any case, which
// would end the script element it is embedded in.
func closesScript(b []byte) bool {
	return bytes.Contains(bytes.ToLower(b), []byte("</script"))
}
