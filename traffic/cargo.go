package traffic

import (
	"fmt"

	"github.com/cuakhau/cuakhau"
	"github.com/cuakhau/cuakhau/ident"
)

// goods is a kind of load with its HS heading and typical truck figures.
type goods struct {
	hs, desc        string
	kg, usdCentsPer int64 // gross kg per truck, value per kg in US cents
	perishable      bool
	shelfHours      int // refrigerated shelf life in the truck
}

// Export loads: fruit and farm produce dominate (~70–83% of export trucks),
// the rest electronics and starch. Shelf lives are the refrigerated figures of
// the reference facts.
var exportGoods = []struct {
	weight float64
	goods
}{
	{0.22, goods{"0810.60", "Sầu riêng tươi", 18000, 300, true, 240}},
	{0.20, goods{"0810.90", "Thanh long tươi", 20000, 80, true, 336}},
	{0.12, goods{"0810.90", "Mít tươi", 20000, 60, true, 336}},
	{0.10, goods{"0807.11", "Dưa hấu tươi", 22000, 25, true, 336}},
	{0.08, goods{"0804.50", "Xoài tươi", 18000, 90, true, 336}},
	{0.06, goods{"0803.90", "Chuối tươi", 20000, 40, true, 336}},
	{0.10, goods{"1108.14", "Tinh bột sắn", 28000, 50, false, 0}},
	{0.12, goods{"8517.13", "Điện thoại di động", 4000, 40000, false, 0}},
}

// Import loads: machinery, electronic parts, materials, some fruit and vegetables.
var importGoods = []struct {
	weight float64
	goods
}{
	{0.25, goods{"8479.89", "Máy móc, thiết bị công nghiệp", 15000, 800, false, 0}},
	{0.20, goods{"8542.31", "Linh kiện điện tử", 5000, 20000, false, 0}},
	{0.15, goods{"5407.61", "Vải dệt thoi", 18000, 400, false, 0}},
	{0.10, goods{"3105.20", "Phân bón", 30000, 40, false, 0}},
	{0.15, goods{"0808.10", "Táo tươi", 20000, 120, true, 720}},
	{0.15, goods{"0703.20", "Tỏi tươi", 22000, 100, true, 1440}},
}

var companies = []string{
	"Công ty TNHH Nông sản Xứ Lạng", "Công ty CP Xuất nhập khẩu Đồng Đăng",
	"Công ty TNHH Thương mại Tân Thanh", "Công ty CP Logistics Hữu Nghị",
	"Công ty TNHH Trái cây Miền Tây", "Công ty CP Vận tải Kỳ Lừa",
	"Công ty TNHH Điện tử Bắc Giang", "Công ty CP Thanh long Bình Thuận",
	"Công ty TNHH Sầu riêng Đắk Lắk", "Công ty CP Máy móc Chi Lăng",
	"Công ty TNHH Giao nhận Cốc Nam", "Công ty CP Thương mại Chi Ma",
}

var surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Hà", "Nông"}
var givenNames = []string{"Văn An", "Văn Bình", "Đức Cường", "Minh Dũng", "Quang Hải", "Văn Hùng", "Thị Lan", "Văn Long", "Xuân Nam", "Hữu Phúc"}

// Province codes of the trucks: Lạng Sơn, Hà Nội, Bắc Giang, Hải Phòng, HCMC,
// Tiền Giang, Bình Thuận, Đắk Lắk.
var provinces = []string{"12", "12", "12", "29", "98", "15", "51", "63", "86", "47"}

func (g *Generator) declaration(v Volume) cuakhau.Declaration {
	table := exportGoods
	if v.Direction == cuakhau.Import {
		table = importGoods
	}
	x, gd := g.rng.Float64(), table[len(table)-1].goods
	for _, row := range table {
		if x -= row.weight; x < 0 {
			gd = row.goods
			break
		}
	}
	i := g.rng.IntN(len(companies))
	kg := gd.kg/2 + g.rng.Int64N(gd.kg)
	line := cuakhau.CargoLine{HSCode: gd.hs, Description: gd.desc, Packages: int(kg / 20),
		GrossKg: kg, ValueUSDCents: kg * gd.usdCentsPer, Perishable: gd.perishable}
	if gd.perishable {
		// Remaining shelf life at declaration: some of it is already spent.
		line.ShelfLifeHours = gd.shelfHours/2 + g.rng.IntN(gd.shelfHours/2)
	}
	plate, country := g.vnPlate(), "VN"
	if v.Direction == cuakhau.Import && g.rng.Float64() < 0.3 {
		plate, country = fmt.Sprintf("桂F%05d", g.rng.IntN(100000)), "CN"
	}
	kind := "30"
	if v.Direction == cuakhau.Import {
		kind = "10"
	}
	return cuakhau.Declaration{
		Gate: v.Gate, Direction: v.Direction,
		Vehicle: cuakhau.Vehicle{Plate: plate, Country: country},
		Driver: cuakhau.Driver{
			Name:     surnames[g.rng.IntN(len(surnames))] + " " + givenNames[g.rng.IntN(len(givenNames))],
			IDNumber: fmt.Sprintf("0%02d%09d", 1+g.rng.IntN(96), g.rng.IntN(1_000_000_000)),
		},
		Enterprise:          cuakhau.Enterprise{TaxCode: taxCode(i), Name: companies[i]},
		Containers:          []string{g.container()},
		Cargo:               []cuakhau.CargoLine{line},
		CustomsDeclarations: []string{g.customsNumber(kind)},
	}
}

func (g *Generator) vnPlate() string {
	series := "CDH" // truck series letters seen at the gates
	return fmt.Sprintf("%s%c-%03d.%02d", provinces[g.rng.IntN(len(provinces))],
		series[g.rng.IntN(len(series))], g.rng.IntN(1000), g.rng.IntN(100))
}

// container returns a valid ISO 6346 number: it tries check digits until the
// parser accepts one, which keeps the algorithm in one place (ident).
func (g *Generator) container() string {
	owners := []string{"CSQ", "MSK", "TGH", "OOL", "EGH", "VNL"}
	base := fmt.Sprintf("%sU%06d", owners[g.rng.IntN(len(owners))], g.rng.IntN(1_000_000))
	for d := range 10 {
		if c, err := ident.ParseContainer(fmt.Sprintf("%s%d", base, d)); err == nil {
			return c
		}
	}
	return g.container()
}

// customsNumber returns a valid declaration number of the given type (10
// import, 30 export): digit 11 is the sequence mod 7.
func (g *Generator) customsNumber(kind string) string {
	seq := g.rng.IntN(100_000_000)
	return fmt.Sprintf("%s%08d%d0", kind, seq, seq%7)
}

// taxCode returns the i-th demo enterprise's tax code: a 10-digit code whose
// check digit satisfies ident.ParseTaxCode.
func taxCode(i int) string {
	for n := 100200000 + i*1013; ; n++ {
		base := fmt.Sprintf("%09d", n)
		for d := range 10 {
			if c, err := ident.ParseTaxCode(base + fmt.Sprint(d)); err == nil {
				return c
			}
		}
	}
}

// TaxCodes returns the demo enterprises' tax codes, for printing tokens.
func TaxCodes() []string {
	out := make([]string, len(companies))
	for i := range companies {
		out[i] = taxCode(i)
	}
	return out
}
