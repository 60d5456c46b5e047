package ident_test

import (
	"errors"
	"fmt"

	"github.com/cuakhau/cuakhau/ident"
)

func ExampleParsePlate() {
	for _, s := range []string{"12c 123.45", "12R-00123", "桂f·12345", "12O-123.45"} {
		p, err := ident.ParsePlate(s)
		if err != nil {
			fmt.Println("vehicle.plate:", err)
			continue
		}
		fmt.Println(p, p.Country, p.Trailer)
	}
	// Output:
	// 12C-123.45 VN false
	// 12R-001.23 VN true
	// 桂F12345 CN false
	// vehicle.plate: letter O is not used on Vietnamese plates
}

func ExampleError() {
	_, err := ident.ParseContainer("CSQU 305438-4")
	var e *ident.Error
	if errors.As(err, &e) {
		fmt.Println("containers[0]: " + e.Rule)
	}
	// Output:
	// containers[0]: check digit is 4, want 3
}

func ExampleHSCode() {
	h, _ := ident.ParseHSCode("0810.60.00")
	fmt.Println(h, h.Heading(), h.NeedsQuarantine(), h.Perishable(), h.DefaultShelfLifeHours())
	// Output:
	// 0810.60.00 0810 true true 168
}
